/**
 * The control-plane image run for real (podman, runc): each process starts from its own command against the
 * test services on the host network (read-only root, tmpfs /tmp, no capabilities, uid 10001), answers its
 * readiness probe and stops cleanly on SIGTERM; each refuses a bad configuration with a message naming every bad
 * variable (never its value) and a non-zero exit code.
 */
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, KubeConfig, type ApiException } from "@kubernetes/client-node";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { applyCrd } from "../../lib/kube/index.js";
import type { ProcessName } from "../../scripts/images/entrypoints.js";
import { testEnv, type TestEnv } from "../env/index.js";
import { freePort } from "../../stack/index.js";
import { images, inspectImage, runContainer, runToEnd } from "./podman.js";

/** Where the test's kubeconfig is mounted in the containers. */
const KUBECONFIG = "/etc/transcode-cp/kubeconfig";
/** A value that must never appear in a configuration error (the processes name variables, never values). */
const SECRET = "hunter2-never-echoed";

interface Setup {
  env: TestEnv;
  namespace: string;
  database: string;
  uploads: string;
  outputs: string;
}

interface ProcessCase {
  /** The environment of a good start, its HTTP server on `port` (the API's internal one on `internalPort`). */
  env(s: Setup, port: number, internalPort: number): Record<string, string>;
  /** The probe that must answer 200 once the process is up. */
  probe: string;
  /** The probe is on the internal port (the API's), not on `port`. */
  internalProbe?: boolean;
  /** A bad configuration: changes to the good env (undefined removes the variable), and every variable it breaks. */
  bad: { env: Record<string, string | undefined>; names: string[] };
  /** How the process refuses it. */
  refuses: { exitCode: number; message: string };
}

/**
 * Each process's configuration, in this one table. The variable names, exit codes and messages are today's;
 * the coming consolidation (unified names, one ConfigError, exit 78, "invalid configuration of <process>:") is
 * an edit of this table only.
 */
const PROCESSES: Record<Exclude<ProcessName, "transcoder">, ProcessCase> = {
  operator: {
    env: (s, port) => ({
      KUBECONFIG,
      JOBS_NAMESPACE: s.namespace,
      LEASE_NAMESPACE: s.namespace,
      MONGODB_URL: s.env.mongo.url,
      MONGODB_DATABASE: s.database,
      REDIS_URL: s.env.redis.clients.operator,
      // The production launcher, against moto: nothing is launched here, only configured.
      LAUNCHER: "ecs",
      TASK_REDIS_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:tj-redis-task-AbCdEf",
      ECS_CLUSTER: "images-test",
      ECS_TASK_DEFINITION: "transcoder:1",
      ECS_SUBNETS: "subnet-00000000",
      AWS_ENDPOINT_URL_ECS: s.env.ecs.endpoint,
      AWS_REGION: s.env.ecs.region,
      AWS_ACCESS_KEY_ID: s.env.ecs.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.env.ecs.secretAccessKey,
      UPLOADS_BUCKET: s.uploads,
      OUTPUTS_BUCKET: s.outputs,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(port),
    }),
    probe: "/readyz",
    bad: { env: { MONGODB_URL: `http://admin:${SECRET}@db`, HTTP_PORT: "99999", ECS_CLUSTER: undefined }, names: ["MONGODB_URL", "HTTP_PORT", "ECS_CLUSTER"] },
    refuses: { exitCode: 78, message: "invalid configuration of transcode-operator:" },
  },
  bridge: {
    env: (s, port) => ({
      REDIS_URL: s.env.redis.clients.bridge,
      KUBECONFIG,
      JOBS_NAMESPACE: s.namespace,
      UPLOADS_BUCKET: s.uploads,
      OUTPUTS_BUCKET: s.outputs,
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(port),
    }),
    probe: "/readyz",
    bad: { env: { REDIS_URL: `http://admin:${SECRET}@redis`, OUTPUTS_BUCKET: undefined }, names: ["REDIS_URL", "OUTPUTS_BUCKET"] },
    refuses: { exitCode: 78, message: "invalid configuration of bridge:" },
  },
  api: {
    env: (s, port, internalPort) => ({
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: String(port),
      INTERNAL_HTTP_PORT: String(internalPort),
      API_SESSION_KEYS: randomBytes(32).toString("hex"),
      MONGODB_URL: s.env.mongo.url,
      MONGODB_DATABASE: s.database,
      REDIS_URL: s.env.redis.clients.api,
      // The test speaks plain HTTP to the container (sessions are Secure by default).
      API_INSECURE_HTTP: "true",
      KUBECONFIG,
      JOBS_NAMESPACE: s.namespace,
      S3_ENDPOINT: s.env.s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      UPLOADS_BUCKET: s.uploads,
      OUTPUTS_BUCKET: s.outputs,
      AWS_REGION: s.env.s3.region,
      AWS_ACCESS_KEY_ID: s.env.s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s.env.s3.secretAccessKey,
    }),
    probe: "/readyz",
    internalProbe: true,
    bad: { env: { API_SESSION_KEYS: SECRET, HTTP_PORT: "99999", MONGODB_URL: undefined }, names: ["API_SESSION_KEYS", "HTTP_PORT", "MONGODB_URL"] },
    refuses: { exitCode: 78, message: "invalid configuration of api:" },
  },
  "upload-webhook": {
    env: (s, port) => ({ REDIS_URL: s.env.redis.clients.lambda, UPLOADS_BUCKET: s.uploads, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(port) }),
    // The receiver has no readiness of its own: it is ready when it listens.
    probe: "/healthz",
    bad: { env: { REDIS_URL: `http://admin:${SECRET}@redis`, HTTP_PORT: "99999" }, names: ["REDIS_URL", "HTTP_PORT"] },
    refuses: { exitCode: 78, message: "invalid configuration of upload-webhook:" },
  },
};

describe("control-plane image (podman run: operator, bridge, API, upload webhook)", function () {
  this.timeout(900_000);
  let image: string;
  let command: (name: ProcessName) => string[];
  let setup: Setup;
  let kubeconfigFile: string;

  before(async () => {
    const built = await images();
    image = built.images["control-plane"].ref;
    command = built.processCommand;
    const env = testEnv();
    const suffix = randomUUID().slice(0, 8);
    setup = { env, namespace: `img-${suffix}`, database: `img_${suffix}`, uploads: `img-up-${suffix}`, outputs: `img-out-${suffix}` };
    const kc = new KubeConfig();
    kc.loadFromFile(env.kube.kubeconfigPath);
    await applyCrd(kc);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: setup.namespace } } }).catch((err: ApiException<unknown>) => {
      if (err.code !== 409) throw err;
    });
    const s3 = new S3Client({ endpoint: env.s3.endpoint, region: env.s3.region, forcePathStyle: true, credentials: env.s3 });
    for (const bucket of [setup.uploads, setup.outputs]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    kubeconfigFile = writeContainerKubeconfig(env);
  });

  it("one image: node as entrypoint, every process's command listed when none is given, the operator's measured env", async () => {
    const cfg = (await inspectImage(image)).Config;
    assert.equal(cfg.User, "10001:10001");
    assert.deepEqual(cfg.Entrypoint, ["/usr/local/bin/node"]);
    assert.deepEqual(cfg.Env?.filter((e) => /AWS_|SECRET|PASSWORD|TOKEN/.test(e.split("=")[0]!)), [], "no credentials in the image");
    // operator/build.ts's OPERATOR_ENV, which the Containerfile sets for every process.
    const { ENTRYPOINTS } = await import("../../scripts/images/entrypoints.js");
    for (const [k, v] of Object.entries(ENTRYPOINTS.operator.env)) assert.ok(cfg.Env?.includes(`${k}=${v}`), `${k}=${v} in ${cfg.Env?.join(" ")}`);
    const help = await runToEnd(image, []);
    assert.equal(help.code, 64, help.output);
    for (const name of Object.keys(PROCESSES) as (keyof typeof PROCESSES)[]) assert.ok(help.output.includes(command(name).join(" ")), `${name} in:\n${help.output}`);
  });

  for (const [name, p] of Object.entries(PROCESSES) as [keyof typeof PROCESSES, ProcessCase][]) {
    it(`${name}: starts from its command, answers ${p.probe}, stops on SIGTERM with exit 0`, async () => {
      const [port, internalPort] = [await freePort(), await freePort()];
      const t0 = Date.now();
      const c = runContainer(image, command(name), { env: p.env(setup, port, internalPort), mounts: { [kubeconfigFile]: KUBECONFIG } });
      try {
        const url = `http://127.0.0.1:${p.internalProbe ? internalPort : port}${p.probe}`;
        for (;;) {
          const status = await fetch(url).then((r) => r.status, () => 0);
          if (status === 200) break;
          const exited = await Promise.race([c.exited, sleep(250).then(() => undefined)]);
          assert.equal(exited, undefined, `${name} exited ${exited} before it was ready:\n${c.output().slice(-3000)}`);
          assert.ok(Date.now() - t0 < 120_000, `${name}: ${url} answered ${status} for 120 s:\n${c.output().slice(-3000)}`);
        }
        console.log(`      ${name} ready in ${Date.now() - t0} ms (container start included)`);
        if (name === "api") await signUp(`http://127.0.0.1:${port}`);
      } finally {
        const code = await c.stop(20);
        assert.equal(code, 0, `${name} did not stop cleanly:\n${c.output().slice(-3000)}`);
      }
    });

    it(`${name}: refuses a bad configuration naming ${p.bad.names.join(", ")}, exit ${p.refuses.exitCode}`, async () => {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries({ ...p.env(setup, 0, 0), ...p.bad.env })) if (v !== undefined) env[k] = v;
      const r = await runToEnd(image, command(name), { env, mounts: { [kubeconfigFile]: KUBECONFIG } });
      assert.equal(r.code, p.refuses.exitCode, r.output);
      assert.ok(r.output.includes(p.refuses.message), r.output);
      for (const variable of p.bad.names) assert.ok(r.output.includes(variable), `${variable} named in:\n${r.output}`);
      assert.ok(!r.output.includes(SECRET), `a value was echoed:\n${r.output}`);
      assert.doesNotMatch(r.output, /\n\s+at /, "no stack trace");
    });
  }
});

/**
 * The admin kubeconfig with the CA and the token inline, readable by the containers' uid 10001 (the test
 * environment's own is 0600 and names the CA by a host path).
 */
function writeContainerKubeconfig(env: TestEnv): string {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "test", server: env.kube.server, caData: readFileSync(env.kube.caFile).toString("base64") }],
    users: [{ name: "admin", token: env.kube.adminToken }],
    contexts: [{ name: "test", cluster: "test", user: "admin" }],
    currentContext: "test",
  });
  const file = join(env.tmpDir, `container-kubeconfig-${randomUUID().slice(0, 8)}`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o644 });
  return file;
}

/** A signup hashes the password with argon2: the native module's prebuilt binary loads in the image. */
async function signUp(api: string): Promise<void> {
  const res = await fetch(`${api}/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: `img-${randomUUID().slice(0, 8)}@example.com`, password: "correct horse battery staple" }),
  });
  assert.equal(res.status, 201, await res.text());
}

/**
 * `npm run infra:emulator`: a real `pulumi preview`, `up` and `destroy` of ControlPlaneRelease (the Helm release
 * and its Secrets) against the test kube-apiserver, with the Pulumi CLI and the Kubernetes provider built from the
 * Go module proxy (`npm run infra:build-pulumi`). The AWS components cannot take part: the AWS provider is not
 * served by the module proxy here (infra/README.md). The program is inline (Automation API), so no
 * pulumi-language-nodejs binary is needed: the CLI talks to a language host inside this process.
 *
 * It checks what the cluster holds after `up` (the three Secrets with their keys, the Deployments reading them by
 * name, no secret value in the Helm release's stored values) and that `destroy` removes it, and prints the times.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation/index.js";
import { installExitHandlers, registerExitCleanup } from "../../stack/process.js";
import { StartContext } from "../../stack/services/context.js";
import { startKube } from "../../stack/services/kube.js";
import { ControlPlaneRelease, type ReleaseValues } from "../index.js";

const PULUMI_VERSION = "v3.274.1";
const K8S_PROVIDER_VERSION = "v4.0.0-20260115033456-f47bc2d6f199";
const cache = join(process.env.XDG_CACHE_HOME ?? join(process.env.HOME ?? "/root", ".cache"), "transcode-cp");
const NAMESPACE = "default"; // no controller-manager runs, so a created namespace could never finish deleting
const SECRETS = {
  mongodbUrl: "mongodb://transcoder:emulator-mongo-password@127.0.0.1:27017/?tls=false",
  redisOperator: "redis://operator:emulator-redis-operator@127.0.0.1:6379",
  redisBridge: "redis://bridge:emulator-redis-bridge@127.0.0.1:6379",
  redisApi: "redis://api:emulator-redis-api@127.0.0.1:6379",
  sessionKeys: "emulator-session-key-0123456789abcdef0123456789",
};

/** The CLI and the provider as an installation root PulumiCommand understands (bin/pulumi), and the PATH. */
function pulumiRoot(): string {
  const root = join(cache, `pulumi-root-${PULUMI_VERSION}`);
  const link = (from: string, name: string) => {
    if (!existsSync(from)) throw new Error(`${from} is missing: run \`npm run infra:build-pulumi\` first`);
    if (!existsSync(join(root, "bin", name))) symlinkSync(from, join(root, "bin", name));
  };
  mkdirSync(join(root, "bin"), { recursive: true });
  link(join(cache, "bin", `pulumi-${PULUMI_VERSION}`), "pulumi");
  link(join(cache, "bin", `pulumi-resource-kubernetes-${K8S_PROVIDER_VERSION}`), "pulumi-resource-kubernetes");
  return root;
}

/** The release as the stack would make it, with emulator settings and stack secrets instead of AWS references. */
function program(kubeconfig: string) {
  return () => {
    const cfg = new pulumi.Config("emulator");
    const secret = (key: keyof typeof SECRETS) => ({ stackSecret: cfg.requireSecret(key) });
    const provider = new k8s.Provider("emulator", { kubeconfig, enableServerSideApply: true });
    const image = { repository: "transcode-control-plane", tag: "emulator" };
    const values: ReleaseValues = {
      jobsNamespace: NAMESPACE,
      env: { AWS_REGION: "us-east-1", UPLOADS_BUCKET: "uploads", UPLOADS_PREFIX: "uploads/", OUTPUTS_BUCKET: "outputs", MONGODB_DATABASE: "transcoder", LOG_LEVEL: "info", S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "true" },
      operator: {
        image,
        serviceAccount: { name: "transcode-operator", annotations: {} },
        env: { MAX_CONCURRENT_TASKS: "5", ECS_CLUSTER: "transcode", ECS_TASK_DEFINITION: "transcode-transcoder:1", TASK_REDIS_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:000000000000:secret:transcode-redis-task", ECS_CONTAINER_NAME: "transcoder", ECS_SUBNETS: "subnet-a,subnet-b", ECS_SECURITY_GROUPS: "sg-tasks" },
      },
      bridge: { image, serviceAccount: { name: "transcode-bridge", annotations: {} }, env: {} },
      api: { image, serviceAccount: { name: "transcode-api", annotations: {} }, env: {} },
    };
    const release = new ControlPlaneRelease(
      "tcp",
      {
        chartPath: join(import.meta.dirname, "emulator-chart"),
        namespace: NAMESPACE,
        values,
        secrets: {
          operator: { MONGODB_URL: secret("mongodbUrl"), REDIS_URL: secret("redisOperator") },
          bridge: { REDIS_URL: secret("redisBridge") },
          api: { MONGODB_URL: secret("mongodbUrl"), REDIS_URL: secret("redisApi"), API_SESSION_KEYS: secret("sessionKeys") },
        },
        wait: false, // no kubelet: pods never run
      },
      { providers: { kubernetes: provider } },
    );
    return Promise.resolve({ status: release.releaseStatus, secrets: release.secretNames });
  };
}

function kubectl(kube: { kubectl: string; kubeconfigPath: string }, ...args: string[]): string {
  return execFileSync(kube.kubectl, ["--kubeconfig", kube.kubeconfigPath, "-n", NAMESPACE, ...args], { encoding: "utf8" });
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`check failed: ${what}`);
  console.log(`  ok: ${what}`);
}

async function main(): Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), "tj-emulator-"));
  const logDir = join(cache, "logs", `emulator-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });
  const ctx = new StartContext(runDir, logDir);
  // Ctrl-C, SIGTERM or a crash still stops the apiserver and etcd this run started.
  installExitHandlers();
  const unregister = registerExitCleanup(() => {
    for (const p of ctx.processes) p.killNow();
    rmSync(runDir, { recursive: true, force: true });
  });
  const timings: [string, number][] = [];
  const timed = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    const r = await fn();
    timings.push([what, Date.now() - t0]);
    console.log(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  };
  try {
    const kube = await timed("kube-apiserver started", () => startKube(ctx));
    const root = pulumiRoot();
    const pulumiCommand = await PulumiCommand.get({ root, skipVersionCheck: true });
    const stateDir = join(runDir, "state");
    mkdirSync(stateDir);
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "emulator", projectName: "transcode-emulator", program: program(readFileSync(kube.kubeconfigPath, "utf8")) },
      {
        pulumiCommand,
        workDir: runDir,
        pulumiHome: join(runDir, "pulumi-home"),
        projectSettings: { name: "transcode-emulator", runtime: "nodejs", backend: { url: `file://${stateDir}` } },
        envVars: {
          PULUMI_CONFIG_PASSPHRASE: "emulator",
          PULUMI_SKIP_UPDATE_CHECK: "true",
          PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
          PATH: `${join(root, "bin")}:${process.env.PATH ?? ""}`,
        },
      },
    );
    await stack.setAllConfig(Object.fromEntries(Object.entries(SECRETS).map(([k, value]) => [`emulator:${k}`, { value, secret: true }])));
    const out = (m: string) => process.stdout.write(m);

    const preview = await timed("pulumi preview", () => stack.preview({ onOutput: out }));
    check((preview.changeSummary.create ?? 0) >= 6, `preview plans the creates (${JSON.stringify(preview.changeSummary)})`);
    const up = await timed("pulumi up", () => stack.up({ onOutput: out }));
    check(up.summary.result === "succeeded", "up succeeded");
    check(up.outputs.status?.value === "deployed", "the Helm release is deployed");

    for (const [proc, keys] of [["operator", "MONGODB_URL,REDIS_URL"], ["bridge", "REDIS_URL"], ["api", "MONGODB_URL,REDIS_URL,API_SESSION_KEYS"]] as const) {
      const data = JSON.parse(kubectl(kube, "get", "secret", `tcp-${proc}`, "-o", "jsonpath={.data}")) as Record<string, string>;
      check(Object.keys(data).sort().join(",") === keys, `Secret tcp-${proc} holds exactly ${keys}`);
      const deployment = kubectl(kube, "get", "deployment", `tcp-${proc}`, "-o", "json");
      check(deployment.includes(`"name": "tcp-${proc}"`) && !deployment.includes("emulator-"), `Deployment tcp-${proc} reads its Secret by name and holds no secret value`);
    }
    const operatorUrl = Buffer.from((JSON.parse(kubectl(kube, "get", "secret", "tcp-operator", "-o", "jsonpath={.data}")) as Record<string, string>).MONGODB_URL!, "base64").toString();
    check(operatorUrl === SECRETS.mongodbUrl, "the operator's MONGODB_URL is the referenced value");
    // Helm keeps the release (values included) in a Secret: base64 of gzip of JSON, inside the Secret's base64.
    const stored = kubectl(kube, "get", "secret", "-l", "owner=helm", "-o", "jsonpath={.items[0].data.release}");
    const releaseJson = gunzipSync(Buffer.from(Buffer.from(stored, "base64").toString(), "base64")).toString();
    check(releaseJson.includes("ECS_TASK_DEFINITION") && !Object.values(SECRETS).some((v) => releaseJson.includes(v)), "Helm's stored values hold no secret value");

    const again = await timed("pulumi preview (no changes)", () => stack.preview());
    check(Object.keys(again.changeSummary).every((k) => k === "same"), `a second preview changes nothing (${JSON.stringify(again.changeSummary)})`);
    const destroy = await timed("pulumi destroy", () => stack.destroy({ onOutput: out }));
    check(destroy.summary.result === "succeeded", "destroy succeeded");
    check(!kubectl(kube, "get", "secrets,deployments", "-o", "name").includes("tcp-"), "destroy removed the Secrets and Deployments");
    console.log("\ntimings:", timings.map(([w, ms]) => `${w} ${(ms / 1000).toFixed(1)} s`).join("; "));
  } finally {
    unregister();
    await Promise.allSettled(ctx.processes.map((p) => p.stop()));
    rmSync(runDir, { recursive: true, force: true });
  }
}

await main();

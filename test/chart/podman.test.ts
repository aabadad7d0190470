/**
 * The chart's Deployments run for real: installed on a kwok cluster (which only pretends to run pods), then the
 * container of one pod of each — operator, bridge, API, upload webhook — is run with podman from the built image,
 * exactly as the installed pod spec says (test/chart/podman-pod.ts), against the test services, with the chart's own
 * service accounts' tokens. Each becomes ready; then an upload event goes through all four: webhook → Redis stream →
 * bridge (creates the TranscodeJob with its Role) → operator (takes it with its Role and launches an ECS task in moto).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import type { V1Deployment } from "@kubernetes/client-node";
import { FINALIZER, type TranscodeJob } from "../../crds/index.js";
import { FAKE_NODE_TOLERATION, freePort, startCluster, type Cluster } from "../../stack/index.js";
import { testEnv } from "../env/index.js";
import { images } from "../images/podman.js";
import { minioRecord } from "../lambda/records.js";
import { setupEcs, TASK_REDIS_SECRET_ARN } from "../operator/helpers/ecs.js";
import { suiteRedisUser, type SuiteRedisUser } from "../support/redis-users.js";
import { runPodOf, waitReady, type RunningPod } from "./podman-pod.js";
import { CHART, helm, kubectl, valuesFile } from "./support.js";
import type { ChartValues } from "../../scripts/chart/values.js";

const NS = "transcode-system";
const JOBS = "media";
const suffix = randomBytes(3).toString("hex");
const COMPONENTS = ["operator", "bridge", "api", "upload-webhook"] as const;

describe("chart: the rendered Deployments run from the built image under podman and become ready", function () {
  this.timeout(900_000);
  let cluster: Cluster;
  const pods = new Map<(typeof COMPONENTS)[number], RunningPod>();
  const users: SuiteRedisUser[] = [];
  const uploads = `chart-up-${suffix}`;
  const outputs = `chart-out-${suffix}`;
  const k = async (...args: string[]) => {
    const r = await kubectl(cluster.kube.kubeconfigPath, args);
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}:\n${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    const env = testEnv();
    const [built, started] = await Promise.all([images(), startCluster()]);
    cluster = started;
    const ref = built.images["control-plane"].ref;
    const s3 = new S3Client({ endpoint: env.s3.endpoint, region: env.s3.region, forcePathStyle: true, credentials: env.s3 });
    for (const bucket of [uploads, outputs]) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    for (const ns of [NS, JOBS]) {
      await k("create", "namespace", ns);
      await k("label", "namespace", ns, "pod-security.kubernetes.io/enforce=restricted");
    }
    const ecs = await setupEcs(`chart-${suffix}`);
    ecs.ecs.destroy();
    const secret = (name: string, data: Record<string, string>) => k("-n", NS, "create", "secret", "generic", name, ...Object.entries(data).map(([key, v]) => `--from-literal=${key}=${v}`));
    const mongo = { MONGODB_URL: env.mongo.url };
    // Each component as its own Redis user, with the rules written for this suite's stream and prefix.
    const names = { uploadsStream: `tj:chart-${suffix}:uploads`, apiPrefix: `tj:chart-${suffix}:api:` };
    for (const c of ["operator", "bridge", "api", "lambda"] as const) users.push(await suiteRedisUser(c, names));
    const [operatorRedis, bridgeRedis, apiRedis, webhookRedis] = users.map((u) => ({ REDIS_URL: u.url }));
    await secret("tcp-operator", { ...mongo, ...operatorRedis, AWS_ACCESS_KEY_ID: env.ecs.accessKeyId, AWS_SECRET_ACCESS_KEY: env.ecs.secretAccessKey });
    await secret("tcp-bridge", bridgeRedis!);
    await secret("tcp-api", { ...mongo, ...apiRedis, API_SESSION_KEYS: randomBytes(32).toString("hex"), AWS_ACCESS_KEY_ID: env.s3.accessKeyId, AWS_SECRET_ACCESS_KEY: env.s3.secretAccessKey });
    await secret("tcp-upload-webhook", webhookRedis!);

    // Host network: every process on its own loopback port, the test's own Redis stream, group, prefix and database.
    const port = async () => ({ containerPort: await freePort() });
    const values: ChartValues = {
      fullnameOverride: "tcp",
      image: { repository: ref.slice(0, ref.lastIndexOf(":")), tag: ref.slice(ref.lastIndexOf(":") + 1), pullPolicy: "Never" },
      jobsNamespace: JOBS,
      tolerations: [FAKE_NODE_TOLERATION],
      env: {
        HTTP_HOST: "127.0.0.1",
        AWS_REGION: env.s3.region,
        S3_ENDPOINT: env.s3.endpoint,
        S3_FORCE_PATH_STYLE: true,
        UPLOADS_BUCKET: uploads,
        OUTPUTS_BUCKET: outputs,
        UPLOADS_STREAM: names.uploadsStream,
        MONGODB_DATABASE: `chart_${suffix}`,
      },
      operator: {
        ...(await port()),
        existingSecret: "tcp-operator",
        // The production launcher, against moto (which runs no container: its tasks only change state).
        env: {
          ECS_CLUSTER: ecs.options.cluster,
          ECS_TASK_DEFINITION: ecs.options.taskDefinition,
          TASK_REDIS_SECRET_ARN,
          ECS_SUBNETS: ecs.options.subnets.join(","),
          AWS_ENDPOINT_URL_ECS: env.ecs.endpoint,
        },
      },
      bridge: { ...(await port()), existingSecret: "tcp-bridge", env: { BRIDGE_GROUP: `chart-${suffix}` } },
      // Reached over plain HTTP here (sessions are Secure by default).
      api: { ...(await port()), internalPort: await freePort(), existingSecret: "tcp-api", env: { API_REDIS_PREFIX: names.apiPrefix, API_INSECURE_HTTP: true } },
      uploadWebhook: { enabled: true, ...(await port()), existingSecret: "tcp-upload-webhook" },
    };
    const r = await helm(["install", "tcp", CHART, "-n", NS, "--wait", "--timeout", "120s", "-f", valuesFile(values)], cluster.kube.kubeconfigPath);
    assert.equal(r.code, 0, r.stderr);
  });

  after(async () => {
    await Promise.allSettled([...pods.values()].map((p) => p.container.stop(20)));
    await cluster?.stop();
    await Promise.allSettled(users.map((u) => u.remove()));
  });

  it("operator, bridge, API and upload webhook: each starts from its rendered pod spec and answers its readiness probe", async () => {
    for (const name of COMPONENTS) {
      const deployment = JSON.parse(await k("-n", NS, "get", "deployment", `tcp-${name}`, "-o", "json")) as V1Deployment;
      pods.set(name, await runPodOf(cluster.kube, deployment));
    }
    for (const [name, p] of pods) console.log(`      ${name} (${p.podName}) ready ${await waitReady(p)} ms after podman run`);
  });

  it("an upload goes through all four: webhook → stream → bridge creates the job → the operator launches its task", async () => {
    const webhook = pods.get("upload-webhook")!;
    const key = `uploads/alice/u-${suffix}/clip.mp4`;
    const res = await fetch(`${webhook.url}/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ EventName: "s3:ObjectCreated:Put", Key: `${uploads}/${key}`, Records: [minioRecord({ key, bucket: uploads })] }) });
    assert.equal(res.status, 200, await res.text());
    let job: TranscodeJob | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(500)) {
      const items = (JSON.parse(await k("-n", JOBS, "get", "tj", "-o", "json")) as { items: TranscodeJob[] }).items;
      job = items[0];
      if ((job?.status?.attempts ?? 0) >= 1 && job?.metadata.finalizers?.includes(FINALIZER)) break;
    }
    assert.ok(job, `the bridge created no TranscodeJob:\n${pods.get("bridge")!.container.output().slice(-2000)}`);
    assert.equal(job.spec.source.key, key);
    assert.ok(job.metadata.finalizers?.includes(FINALIZER), `the operator did not take the job:\n${pods.get("operator")!.container.output().slice(-3000)}`);
    assert.ok((job.status?.attempts ?? 0) >= 1, `the operator launched no task: ${JSON.stringify(job)}\n${pods.get("operator")!.container.output().slice(-3000)}`);
    assert.equal(job.status?.taskRef?.launcher, "ecs");
    console.log(`      ${job.metadata.name}: ${job.status?.phase}, attempt ${job.status?.attempts}, task ${job.status?.taskRef?.id}`);
  });

  it("the API signs a user up (MongoDB, argon2) and lists their jobs (its Role's list)", async () => {
    const api = pods.get("api")!.url;
    const credentials = { email: `chart-${suffix}@example.com`, password: "correct horse battery staple" };
    const post = (path: string, body: unknown, cookie = "") =>
      fetch(`${api}${path}`, { method: "POST", headers: { "content-type": "application/json", cookie }, body: JSON.stringify(body) });
    assert.equal((await post("/auth/signup", credentials)).status, 201);
    const login = await post("/auth/login", credentials);
    assert.equal(login.status, 200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const jobs = await fetch(`${api}/jobs`, { headers: { cookie } });
    assert.equal(jobs.status, 200, await jobs.clone().text());
    assert.deepEqual(((await jobs.json()) as { items: unknown[] }).items, []);
  });

  it("each stops gracefully on SIGTERM (exit 0)", async () => {
    for (const [name, p] of pods) assert.equal(await p.container.stop(30), 0, `${name}:\n${p.container.output().slice(-2000)}`);
    pods.clear();
  });
});

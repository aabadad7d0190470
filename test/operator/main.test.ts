import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DescribeTaskDefinitionCommand, DescribeTasksCommand } from "@aws-sdk/client-ecs";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { testEnv } from "../env/index.js";
import { createNamespace, deleteNamespace, kubeConfig } from "../crds/kube.js";
import { applyCrd } from "../../lib/kube/index.js";
import { createJob, getJob, waitFor } from "./helpers/operator-harness.js";
import { holdTasksRunning, restoreTaskTransitions, setupEcs, TASK_REDIS_SECRET_ARN } from "./helpers/ecs.js";

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", "operator/main.ts"], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const p: Proc = { child, stdout: "", stderr: "", exited: new Promise((r) => child.once("exit", (code) => r(code))) };
  child.stdout.on("data", (d: Buffer) => (p.stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (p.stderr += d.toString()));
  return p;
}

describe("operator/main.ts process", function () {
  this.timeout(90_000);

  it("refuses a bad configuration with one clear message per variable, no stack trace", async () => {
    const p = start({ MONGODB_URL: "http://nope", REDIS_URL: "redis://127.0.0.1:1", LAUNCHER: "ecs", MAX_CONCURRENT_TASKS: "0" });
    assert.equal(await p.exited, 78);
    assert.match(p.stderr, /^invalid configuration of transcode-operator:$/m);
    assert.match(p.stderr, /MONGODB_URL: must be a mongodb:\/\/ or mongodb\+srv:\/\/ URL/);
    assert.match(p.stderr, /MAX_CONCURRENT_TASKS/);
    assert.match(p.stderr, /ECS_CLUSTER: required when LAUNCHER=ecs/);
    assert.doesNotMatch(p.stderr, /\n\s+at /, "no stack trace");
  });

  it("serves /healthz /readyz /metrics, leads, admits a job, and stops gracefully on SIGTERM releasing its lease", async () => {
    const e = testEnv();
    const kc = kubeConfig();
    await applyCrd(kc);
    const ns = await createNamespace("opmain");
    const { ecs, options } = await setupEcs("opmain");
    await holdTasksRunning();
    const lease = `op-${randomBytes(3).toString("hex")}`;
    const p = start({
      KUBECONFIG: e.kube.kubeconfigPath,
      JOBS_NAMESPACE: ns,
      MONGODB_URL: e.mongo.url,
      MONGODB_DATABASE: `opmain_${randomBytes(3).toString("hex")}`,
      REDIS_URL: e.redis.clients.operator,
      TASK_REDIS_SECRET_ARN: TASK_REDIS_SECRET_ARN,
      AWS_REGION: e.ecs.region,
      AWS_ACCESS_KEY_ID: e.ecs.accessKeyId,
      AWS_SECRET_ACCESS_KEY: e.ecs.secretAccessKey,
      AWS_ENDPOINT_URL_ECS: e.ecs.endpoint,
      ECS_CLUSTER: options.cluster,
      ECS_TASK_DEFINITION: options.taskDefinition,
      ECS_SUBNETS: options.subnets.join(","),
      LEASE_NAMESPACE: ns,
      LEASE_NAME: lease,
      POD_NAME: "op-test-0",
      HTTP_HOST: "127.0.0.1",
      HTTP_PORT: "0",
      UPLOADS_BUCKET: "uploads",
      OUTPUTS_BUCKET: "outputs",
      POLL_MS: "300",
      LOG_LEVEL: "info",
      UPLOAD_MAX_BYTES: "123456789",
      MEDIA_MAX_FRAME_RATE: "60",
    });
    try {
      const port = await waitFor("health server port", () => {
        const m = /"port":(\d+)[^\n]*health server listening/.exec(p.stdout);
        return Promise.resolve(m ? Number(m[1]) : undefined);
      }, 30_000);
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      await waitFor("leading and ready", async () => (/"msg":"operator started"/.test(p.stdout) && (await fetch(`${base}/readyz`)).status === 200) || undefined, 30_000);
      await createJob(kc, ns, "via-main");
      const job = await waitFor("job launched", async () => {
        const j = await getJob(kc, ns, "via-main");
        return j?.status?.taskRef ? j : undefined;
      });
      assert.ok(job.metadata?.finalizers?.includes("media.transcoder.dev/cleanup"));
      // The task runs under the limits the operator was configured with (the same the API enforces).
      const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [job.status!.taskRef!.id] }))).tasks ?? [];
      const env = new Map((task?.overrides?.containerOverrides?.[0]?.environment ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.get("TJ_MAX_SOURCE_BYTES"), "123456789");
      assert.equal(env.get("TJ_MAX_FRAME_RATE"), "60");
      // No Redis credential in what DescribeTasks shows: TJ_REDIS_URL comes from the task definition's secret.
      assert.equal(env.get("TJ_JOB_NAME"), "via-main");
      assert.equal(env.has("TJ_REDIS_URL"), false, "no TJ_REDIS_URL override");
      const overrides = JSON.stringify(task?.overrides);
      for (const url of [e.redis.url, ...Object.values(e.redis.clients)]) assert.equal(overrides.includes(new URL(url).password), false, "no Redis password in the overrides");
      const def = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task!.taskDefinitionArn! }));
      assert.deepEqual(def.taskDefinition?.containerDefinitions?.[0]?.secrets, [{ name: "TJ_REDIS_URL", valueFrom: TASK_REDIS_SECRET_ARN }]);
      // The reconcile that wrote taskRef is counted when it returns, a moment after the status is visible.
      const metrics = await waitFor("reconciles counted", async () => {
        const text = await (await fetch(`${base}/metrics`)).text();
        return /^transcode_operator_reconcile_total\{/m.test(text) ? text : undefined;
      });
      for (const m of ["transcode_operator_reconcile_total", "transcode_operator_reconcile_duration_seconds", "transcode_operator_slots_in_use", "transcode_operator_jobs", "workqueue_depth", "workqueue_queue_duration_seconds"]) {
        assert.match(metrics, new RegExp(`^${m}`, "m"), m);
      }
      assert.match(p.stdout, /"job":"[^"]+\/via-main","reconcileId":"[0-9a-f]{8}"/, "job key and reconcile id in log lines");
      assert.doesNotMatch(p.stdout, new RegExp(e.ecs.secretAccessKey), "no secrets in logs");
      assert.equal(`${p.stdout}${p.stderr}`.includes(new URL(e.redis.clients.operator).password), false, "no Redis password in logs");
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0);
      const l = await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: lease, namespace: ns });
      assert.ok(!l.spec?.holderIdentity, "lease released on shutdown");
    } finally {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await restoreTaskTransitions();
      ecs.destroy();
      await deleteNamespace(ns);
    }
  });
});

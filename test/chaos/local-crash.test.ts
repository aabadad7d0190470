import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { applyCrd } from "../../lib/kube/index.js";
import { createNamespace, deleteNamespace, kubeConfig } from "../crds/kube.js";
import { testEnv } from "../env/index.js";
import { createJob, getJob, waitFor } from "../operator/helpers/operator-harness.js";
import { Replica } from "./replica.js";

describe("chaos: the local launcher keeps the cap across an operator kill -9 (embedded mode)", function () {
  this.timeout(180_000);
  let ns: string;
  let op: Replica | undefined;
  const redis = () => new Redis(testEnv().redis.url);
  after(async () => {
    await op?.stop(10_000);
    if (ns) await deleteNamespace(ns);
  });

  it("the restarted operator adopts the tasks the killed one started: none launched twice, none lost, at most the cap alive", async () => {
    const e = testEnv();
    const kc = kubeConfig();
    await applyCrd(kc);
    ns = await createNamespace("localcrash");
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const stateDir = join(e.tmpDir, `local-crash-${randomBytes(3).toString("hex")}`);
    op = new Replica(
      "operator",
      {
        KUBECONFIG: e.kube.kubeconfigPath,
        JOBS_NAMESPACE: ns,
        LEASE_NAMESPACE: ns,
        MONGODB_URL: e.mongo.url,
        MONGODB_DATABASE: `localcrash_${randomBytes(3).toString("hex")}`,
        REDIS_URL: e.redis.clients.operator,
        // The stand-in task (local-task.ts) also counts its launches in keys of its own: more than a task may do.
        TASK_REDIS_URL: e.redis.url,
        LAUNCHER: "local",
        LOCAL_TASK_COMMAND: JSON.stringify([process.execPath, "--import", tsx, join(process.cwd(), "test/chaos/local-task.ts"), "20000"]),
        LOCAL_TASK_STATE_DIR: stateDir,
        MAX_CONCURRENT_TASKS: "2",
        LEASE_DURATION_SECONDS: "4",
        LEASE_RENEW_DEADLINE_SECONDS: "3",
        LEASE_RETRY_PERIOD_SECONDS: "1",
        POLL_MS: "300",
        STOP_POLL_MS: "200",
        HTTP_HOST: "127.0.0.1",
        HTTP_PORT: "0",
        UPLOADS_BUCKET: "uploads",
        OUTPUTS_BUCKET: "outputs",
        LOG_LEVEL: "info",
      },
      join(e.tmpDir, "local-crash-logs"),
    );
    op.start();
    const names = ["lc-a", "lc-b", "lc-c", "lc-d"];
    for (const n of names) await createJob(kc, ns, n);
    await waitFor("two jobs Running", async () => ((await Promise.all(names.map((n) => getJob(kc, ns, n)))).filter((j) => j?.status?.phase === "Running").length === 2 ? true : undefined), 60_000);
    await op.kill(); // SIGKILL: the operator's tasks keep running, recorded in the state directory
    // Tasks of 20 s outlive the restart even on a loaded machine (at 6 s, a CI run's restart came after they ended:
    // nothing was left to adopt). Checked, so that the adoption below is what is tested.
    const before = redis();
    try {
      // (a task registers once its tsx process is up, which can be after the job already says Running)
      await waitFor("both tasks run while the operator is down", async () => ((await before.scard(`tj:test:alive:${ns}`)) === 2 ? true : undefined), 15_000);
    } finally {
      before.disconnect();
    }
    op.start();
    const jobs = await waitFor(
      "every job Succeeded",
      async () => {
        const js = await Promise.all(names.map((n) => getJob(kc, ns, n)));
        return js.every((j) => j?.status?.phase === "Succeeded") ? js : undefined;
      },
      120_000,
    );
    const r = redis();
    try {
      for (const j of jobs) {
        assert.equal(j!.status?.attempts, 1, `${j!.metadata?.name}: its running task was adopted, not retried`);
        assert.equal(await r.get(`tj:test:launches:${j!.metadata!.uid}:1`), "1", `${j!.metadata?.name} launched once`);
      }
      assert.ok(Number(await r.get(`tj:test:alive:max:${ns}`)) <= 2, "never more than the cap of 2 tasks alive");
    } finally {
      r.disconnect();
    }
    assert.ok(op.lines.some((l) => /adopted a local task started by an earlier operator/.test(l)), "the restarted operator says it adopted them");
  });
});

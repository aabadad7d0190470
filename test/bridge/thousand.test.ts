import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Redis } from "ioredis";
import { createLogger } from "../../lib/log.js";
import { RedisUploadStream, classifyRecord, encodeEntryFields, jobNameFor } from "../../lib/uploads/index.js";
import { createUploadHandler, type BatchResponse } from "../../lambda/index.js";
import { testEnv } from "../env/index.js";
import { awsRecord } from "../lambda/records.js";
import { adminKubeConfig, createNamespace, dropStreamKeys, ensureCrd, listJobs, pollUntil } from "./harness.js";
import { BridgeProcess } from "./replicas.js";
import { suiteRedisUser } from "../support/redis-users.js";

/**
 * The acceptance run: 1,000 uploads as S3 events, 10% of them delivered twice, through the real
 * lambda core into Redis, consumed by two bridge replicas (real entrypoint, child processes), each of them
 * SIGKILLed once mid-run and replaced. Exactly 1,000 TranscodeJobs must exist at the end.
 */
describe("bridge: 1,000 uploads, duplicates, two replicas, two kills", function () {
  // Correctness is asserted; speed is printed. 36 s on a quiet machine, 70 s at load average 35: the waits
  // below leave room for a machine shared with other suites, so load makes the run slower, not flaky.
  this.timeout(360_000);

  it("creates exactly one TranscodeJob per upload", async () => {
    const env = testEnv();
    const kc = adminKubeConfig();
    await ensureCrd(kc);
    const id = randomBytes(4).toString("hex");
    const namespace = `bridge-k-${id}`;
    const stream = `test-thousand:${id}:uploads`;
    await createNamespace(kc, namespace);
    const logDir = join(env.tmpDir, `thousand-${id}`);
    mkdirSync(logDir, { recursive: true });
    const redis = new Redis(env.redis.url);
    // Each side with its own production rights on this suite's stream.
    const [bridgeUser, lambdaUser] = await Promise.all([suiteRedisUser("bridge", { uploadsStream: stream }), suiteRedisUser("lambda", { uploadsStream: stream })]);
    const lambdaRedis = new Redis(lambdaUser.url);
    const bridgeEnv = {
      REDIS_URL: bridgeUser.url,
      KUBECONFIG: env.kube.kubeconfigPath,
      JOBS_NAMESPACE: namespace,
      UPLOADS_BUCKET: "uploads-bucket",
      OUTPUTS_BUCKET: "outputs-bucket",
      UPLOADS_STREAM: stream,
      BRIDGE_CLAIM_IDLE_MS: "3000",
      BRIDGE_CLAIM_INTERVAL_MS: "500",
      BRIDGE_BLOCK_MS: "500",
      BRIDGE_BATCH_SIZE: "32",
      LOG_LEVEL: "info",
    };
    let n = 0;
    const replica = (): BridgeProcess => new BridgeProcess(`replica-${++n}`, bridgeEnv, logDir);
    const t0 = Date.now();
    let a = replica();
    let b = replica();
    const survivors: BridgeProcess[] = [];
    try {
      // 1,000 distinct uploads (keys with spaces, @ and unicode, URL-encoded as S3 sends them) + 100 redeliveries.
      const records = Array.from({ length: 1000 }, (_, i) =>
        awsRecord({ key: `uploads/user-${i % 37}/up-${i}/clip%20${i}%40home+caf%C3%A9.mp4`, eTag: `etag-${i}` }),
      );
      const expected = new Set(records.map((r) => {
        const c = classifyRecord(r);
        if (c.kind !== "entry") throw new Error("test record is not an upload");
        return jobNameFor(c.entry.idempotencyKey);
      }));
      assert.equal(expected.size, 1000);
      const dupIdx = Array.from({ length: 100 }, (_, i) => i * 10 + 3);
      // Half of the redeliveries go through the lambda (its dedupe drops them); the other half are put on the
      // stream directly, as if the dedupe key had expired, so the bridge's AlreadyExists path is exercised.
      const viaLambda = dupIdx.slice(0, 50).map((i) => records[i]!);
      const rawDup = dupIdx.slice(50).map((i) => records[i]!);
      const events = [...records, ...viaLambda].sort(() => Math.random() - 0.5);

      const handle = createUploadHandler({ stream: new RedisUploadStream(lambdaRedis, { stream }), log: createLogger("lambda", { level: "silent" }), prefix: "uploads/", buckets: ["uploads-bucket"] });
      let failedMessages = 0;
      const produce = async (): Promise<void> => {
        for (let i = 0; i < events.length; i += 10) {
          const batch = events.slice(i, i + 10).map((r, j) => ({ messageId: `m-${i + j}`, eventSource: "aws:sqs", body: JSON.stringify({ Records: [r] }) }));
          const out = (await handle({ Records: batch })) as BatchResponse;
          failedMessages += out.batchItemFailures.length;
          if (i % 200 === 0) await new Promise((r) => setTimeout(r, 100));
        }
        for (const r of rawDup) {
          const c = classifyRecord(r);
          if (c.kind === "entry") await redis.xadd(stream, "*", ...encodeEntryFields(c.entry));
        }
      };
      const producing = produce();

      const jobCount = async (): Promise<number> => (await listJobs(kc, namespace)).length;
      await pollUntil(async () => (await jobCount()) >= 250, 120_000, "250 jobs before the first kill", 200);
      await a.kill();
      const killed1At = await jobCount();
      a = replica();
      await pollUntil(async () => (await jobCount()) >= 600, 120_000, "600 jobs before the second kill", 200);
      await b.kill();
      const killed2At = await jobCount();
      b = replica();
      survivors.push(a, b);
      await producing;
      assert.equal(failedMessages, 0);

      await pollUntil(
        async () => {
          const summary = (await redis.xpending(stream, "bridge")) as [number, ...unknown[]];
          return (await jobCount()) >= 1000 && Number(summary[0]) === 0;
        },
        120_000,
        "every entry acknowledged",
        500,
      );
      const jobs = await listJobs(kc, namespace);
      const names = new Set(jobs.map((j) => j.metadata.name));
      const metrics = await Promise.all(survivors.map(async (s) => (await fetch(`${await s.url()}/metrics`)).text()));
      const sum = (name: string, label: string): number =>
        metrics.reduce((acc, text) => acc + Number(new RegExp(`^${name}\\{${label}\\} (\\d+)`, "m").exec(text)?.[1] ?? 0), 0);
      const report = {
        events: events.length + rawDup.length,
        distinctUploads: expected.size,
        redeliveredViaLambda: viaLambda.length,
        redeliveredPastDedupe: rawDup.length,
        streamEntries: await redis.xlen(stream),
        jobs: jobs.length,
        distinctJobNames: names.size,
        deadLetters: await redis.xlen(`${stream}:dead`),
        jobsAtFirstKill: killed1At,
        jobsAtSecondKill: killed2At,
        survivorsCreated: sum("tj_bridge_jobs_total", 'result="created"'),
        survivorsAlreadyExisted: sum("tj_bridge_jobs_total", 'result="exists"'),
        survivorsClaimed: metrics.reduce((acc, t) => acc + Number(/^tj_bridge_claimed_total (\d+)/m.exec(t)?.[1] ?? 0), 0),
        seconds: (Date.now() - t0) / 1000,
      };
      console.log(`      ${JSON.stringify(report)}`);
      assert.equal(report.streamEntries, 1050, "1,000 uploads + 50 redeliveries past the dedupe");
      assert.equal(jobs.length, 1000);
      assert.equal(names.size, 1000);
      assert.deepEqual([...names].sort(), [...expected].sort());
      assert.equal(report.deadLetters, 0);
      // Graceful stop of the real entrypoint: exit code 0.
      assert.deepEqual(await Promise.all(survivors.map((s) => s.terminate())), [0, 0]);
    } catch (err) {
      // Say what the replicas were doing: the logs live in the run's scratch dir, which is removed at the end.
      const groups = await redis.call("XINFO", "GROUPS", stream).catch((e: unknown) => String(e));
      console.error(`      stream length ${await redis.xlen(stream)}, groups ${JSON.stringify(groups)}`);
      for (const p of [a, b, ...survivors]) {
        const lines = readFileSync(p.logPath, "utf8").trim().split("\n");
        console.error(`      ${p.logPath} (exit ${String(p.child.exitCode ?? p.child.signalCode)}):\n        ${lines.slice(-5).join("\n        ")}`);
      }
      throw err;
    } finally {
      for (const p of [a, b]) if (p.child.exitCode === null && p.child.signalCode === null) await p.kill();
      await dropStreamKeys(redis, stream);
      await redis.quit();
      lambdaRedis.disconnect();
      await Promise.all([bridgeUser.remove(), lambdaUser.remove()]);
    }
  });
});

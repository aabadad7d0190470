import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createJob, getJob, ok, waitFor, type Outcome } from "../operator/helpers/operator-harness.js";
import { isAlreadyExists } from "../../lib/kube/index.js";
import type { TaskResult } from "../../lib/task-contract/index.js";
import { ChaosCluster, FAULT_KINDS, type FaultKind } from "./harness.js";

/**
 * Three operator processes, jobs flowing, faults injected at random moments. The promise under test: never more
 * than five tasks alive at once, no job attempt launched twice, no job lost.
 *   npm test                                  the bounded run: 30 jobs, each fault kind once, short leases (6/4/1 s)
 *   CHAOS_MODE=long npm run test:file -- test/chaos/chaos.test.ts
 *                                             100 jobs, 24 faults, the default leases (15/10/2 s)
 */
const long = process.env.CHAOS_MODE === "long";
const JOBS = long ? 100 : 30;
const FAULTS = long ? 24 : FAULT_KINDS.length;
const LEASE = long ? { duration: 15, renew: 10, retry: 2 } : { duration: 6, renew: 4, retry: 1 };
const CAP = 5;
/** Per-owner running limit: three owners at two each could use six slots, so the cap of five binds too. */
const OWNER_LIMIT = 2;
/** Two API users and the namespace's kubectl-made jobs (no spec.owner). */
const ownerOfIndex = (i: number): string | undefined => ["alice", "bob", undefined][i % 3];

const secs = (ms: number | undefined) => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);

/** A small seeded generator, so that a failing run can be repeated (the seed is printed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const retryable: TaskResult = { ok: false, exitCode: 75, reason: "S3Unavailable", message: "chaos: a retryable failure" };
const permanent: TaskResult = { ok: false, exitCode: 65, reason: "CorruptInput", message: "chaos: not a video" };

/** What each job's tasks do: most succeed, some fail once then succeed, some fail for good, some keep failing. */
function kindOf(i: number): "ok" | "retry-once" | "permanent" | "always-retry" {
  if (i % 10 === 3) return "retry-once";
  if (i % 10 === 6) return "permanent";
  if (i % 15 === 9) return "always-retry";
  return "ok";
}

describe(`chaos: three operator replicas under faults, fair admission with a per-owner limit (${long ? "long" : "bounded"} mode)`, function () {
  this.timeout(long ? 60 * 60_000 : 10 * 60_000);
  let c: ChaosCluster | undefined;
  after(() => c?.close());

  it("keeps the cap of five, launches no attempt twice, loses no job; prints the figures", async () => {
    const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
    const random = rng(seed);
    // Durations and lags per (job, attempt), drawn once: a task runs 1-4 s, then lingers 0-10 s before STOPPED.
    const drawn = new Map<string, { after: number; lag: number }>();
    const draw = (name: string, attempt: number) => {
      const key = `${name}#${attempt}`;
      if (!drawn.has(key)) drawn.set(key, { after: 1000 + Math.floor(random() * 3000), lag: Math.floor(random() * 10_000) });
      return drawn.get(key)!;
    };
    const policy = (name: string, attempt: number): Outcome => {
      const { after, lag } = draw(name, attempt);
      const kind = kindOf(Number(name.slice(name.lastIndexOf("-") + 1)));
      const result = kind === "permanent" ? permanent : kind === "always-retry" || (kind === "retry-once" && attempt === 1) ? retryable : ok;
      return { after, exitLagMs: lag, result };
    };
    c = await ChaosCluster.open("chaos", {
      replicas: 3,
      policy,
      ownerOf: (name) => ownerOfIndex(Number(name.slice(name.lastIndexOf("-") + 1))) ?? "(namespace)",
      env: {
        MAX_CONCURRENT_TASKS: String(CAP),
        ADMISSION_POLICY: "fair",
        OWNER_MAX_RUNNING: String(OWNER_LIMIT),
        LEASE_DURATION_SECONDS: String(LEASE.duration),
        LEASE_RENEW_DEADLINE_SECONDS: String(LEASE.renew),
        LEASE_RETRY_PERIOD_SECONDS: String(LEASE.retry),
        WATCH_IDLE_TIMEOUT_MS: "15000",
      },
    });
    c.start();
    await waitFor("a leader", () => c!.leader(), 90_000);
    const names = Array.from({ length: JOBS }, (_, i) => `chaos-${String(i).padStart(3, "0")}`);
    const t0 = Date.now();
    const creating = (async () => {
      for (const [i, n] of names.entries()) {
        // The apiserver may be restarting (refused, then 503 until it has installed its paths): keep trying, as a
        // client would; an AlreadyExists after a lost response is the job we made.
        const create = () => createJob(c!.suite.kc, c!.suite.namespace, n, { maxAttempts: 3, owner: ownerOfIndex(i) ?? null }).then(() => true, (err: unknown) => isAlreadyExists(err) || undefined);
        await waitFor(`created ${n}`, create, 90_000, 1000);
        await sleep(long ? 1500 : 600);
      }
    })();

    // Every kind once, in a random order, then random kinds: one every 6-12 s while jobs flow.
    const plan: FaultKind[] = [...FAULT_KINDS].sort(() => random() - 0.5);
    while (plan.length < FAULTS) plan.push(FAULT_KINDS[Math.floor(random() * FAULT_KINDS.length)]!);
    for (const kind of plan) {
      await sleep(6_000 + random() * 6_000);
      await c.inject(kind, { leaseMs: LEASE.duration * 1000 });
    }
    await creating;

    const deadline = long ? 20 * 60_000 : 4 * 60_000;
    const final = async () => {
      const js = await Promise.all(names.map((n) => getJob(c!.suite.kc, c!.suite.namespace, n)));
      return js.filter((j) => ["Succeeded", "Failed", "Cancelled"].includes(j?.status?.phase ?? ""));
    };
    await waitFor("every job final", async () => ((await final()).length === JOBS ? true : undefined), deadline, 1000).catch(() => undefined);
    await waitFor("no task alive", async () => (await c!.player.running()).length === 0 || undefined, 60_000).catch(() => undefined);

    const jobs = await Promise.all(names.map((n) => getJob(c!.suite.kc, c!.suite.namespace, n)));
    const notFinal = jobs.filter((j) => !["Succeeded", "Failed", "Cancelled"].includes(j?.status?.phase ?? "")).map((j) => `${j?.metadata?.name}: ${j?.status?.phase}`);
    const duplicates = await c.duplicateLaunches();
    const byKind = new Map<string, number>();
    for (const f of c.faults) byKind.set(f.kind, (byKind.get(f.kind) ?? 0) + (f.detail ? 0 : 1));
    const failovers = c.failovers();
    const fenced = c.replicas.flatMap((r) => r.lines).filter((l) => /fenced|launch withheld/.test(l)).length;
    const wrongOutcome = jobs.filter((j, i) => {
      const want = kindOf(i) === "ok" || kindOf(i) === "retry-once" ? "Succeeded" : "Failed";
      return j?.status?.phase !== undefined && ["Succeeded", "Failed"].includes(j.status.phase) && j.status.phase !== want;
    });
    console.log(
      [
        `      chaos (${long ? "long" : "bounded"}, seed ${seed}): ${JOBS} jobs, ${c.faults.length} faults in ${Math.round((Date.now() - t0) / 1000)} s`,
        `      faults by kind: ${[...byKind].map(([k, n]) => `${k} ${n}`).join(", ")}${c.faults.some((f) => f.detail) ? ` (skipped: ${c.faults.filter((f) => f.detail).length})` : ""}`,
        `      max tasks not STOPPED at a sampled instant: ${c.player.maxRunning} (cap ${CAP}; ${c.player.samples} samples)`,
        `      max tasks alive per owner at a sampled instant: ${[...c.maxPerOwner].map(([o, n]) => `${o} ${n}`).join(", ")} (limit ${OWNER_LIMIT})`,
        `      duplicate launches (job attempts with more than one task): ${duplicates.size}`,
        `      jobs not final at the deadline: ${notFinal.length}${notFinal.length ? ` (${notFinal.join("; ")})` : ""}`,
        `      failovers (fault -> another replica leads / launches): ${failovers.map((f) => `${f.kind} ${secs(f.toLeaderMs)} / ${secs(f.toLaunchMs)}`).join(", ")}`,
        `      timeline: ${c.faults.map((f) => `+${Math.round((f.at - t0) / 1000)} s ${f.kind}${f.replica ? ` (${f.replica})` : ""}${f.detail ? ` [${f.detail}]` : ""}`).join(", ")}`,
        `      refused by the fence after a leader fault (log lines): ${fenced}; player errors while servers restarted: ${c.player.tickErrors}`,
      ].join("\n"),
    );
    for (const k of FAULT_KINDS) assert.ok((byKind.get(k) ?? 0) >= 1, `fault ${k} was injected at least once`);
    assert.ok(c.player.maxRunning <= CAP, `the cap held: at most ${CAP} tasks alive (saw ${c.player.maxRunning})`);
    assert.deepEqual([...c.maxPerOwner].filter(([, n]) => n > OWNER_LIMIT), [], `no owner above its limit of ${OWNER_LIMIT} at any sampled instant`);
    assert.equal(c.maxPerOwner.size, 3, "every owner's tasks were sampled");
    assert.deepEqual([...duplicates], [], "no job attempt launched twice");
    assert.deepEqual(notFinal, [], "no job lost: every job reached a final phase");
    assert.deepEqual(wrongOutcome.map((j) => `${j?.metadata?.name}: ${j?.status?.phase} ${j?.status?.reason ?? ""}`), [], "each job ended as its tasks said");
  });
});

/**
 * Figures for the operator core's pure decisions: reconcile() decisions per second per phase, and a waiting
 * job's rank in a large queue: sorting the whole queue (admissionOrder, what every reconcile did before) against
 * the AdmissionQueue index the controller keeps (binary search), in the same process.
 * Run: npx tsx bench/operator-core/reconcile.ts
 */
import { AdmissionQueue, admissionOrder, DEFAULT_RECONCILE_OPTIONS, reconcile, type Observed } from "../../operator/reconcile/index.js";
import type { JobObject } from "../../operator/ports/index.js";

const opts = { ...DEFAULT_RECONCILE_OPTIONS, finalizer: "media.transcoder.dev/cleanup" };
const now = Date.parse("2026-01-01T00:00:00Z");

function job(i: number, status?: JobObject["status"]): JobObject {
  return {
    metadata: { name: `j${i}`, namespace: "ns", uid: `u${i}`, generation: 1, creationTimestamp: new Date(now - i * 1000).toISOString(), finalizers: [opts.finalizer] },
    spec: { source: { bucket: "b", key: `k${i}` }, output: { bucket: "o", prefix: `p${i}/` }, priority: i % 7 },
    ...(status ? { status } : {}),
  };
}

function rate(label: string, n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 1000); i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  const ms = performance.now() - t0;
  const perSec = (n / ms) * 1000;
  console.log(`${label.padEnd(44)} ${perSec.toFixed(0).padStart(10)} /s   (${((ms / n) * 1000).toFixed(2)} µs each)`);
  return perSec;
}

const base = (j: JobObject, over: Partial<Observed> = {}): Observed => ({
  job: j, now, recordPhase: j.status?.phase, holdsSlot: false, freeSlots: 5, rank: 0, task: undefined, progress: undefined, result: undefined, ...over,
});
const running = job(1, { phase: "Running", attempts: 1, taskRef: { launcher: "ecs", id: "t", attempt: 1 }, startedAt: new Date(now).toISOString(), observedGeneration: 1 });

console.log("reconcile() decisions");
const pending = rate("Pending -> Queued -> Starting (admit)", 100_000, (i) => reconcile(base(job(i)), opts));
const steady = rate("Running, task running (poll)", 100_000, () => reconcile(base(running, { holdsSlot: true, task: { id: "t", state: "Running" } }), opts));
rate("Running -> Succeeded", 100_000, () => reconcile(base(running, { holdsSlot: true, task: { id: "t", state: "Stopped" }, result: { ok: true, exitCode: 0 } }), opts));

console.log("\na waiting job's rank: sort the whole queue (admissionOrder) vs the AdmissionQueue index");
for (const size of [100, 1_000, 10_000]) {
  const jobs = Array.from({ length: size }, (_, i) => job(i, { phase: "Queued", attempts: 0 }));
  const held = new Set(["u1", "u2", "u3", "u4", "u5"]);
  const sorted = rate(`${size} waiting, sort`, size >= 10_000 ? 50 : 500, (i) => admissionOrder(jobs, held, now, opts).indexOf(`u${i % size}`));
  const q = new AdmissionQueue(opts);
  const tb = performance.now();
  for (const j of jobs) q.update(j);
  console.log(`${`${size} waiting, index built from events`.padEnd(44)} ${(performance.now() - tb).toFixed(1).padStart(10)} ms once`);
  const indexed = rate(`${size} waiting, index`, 200_000, (i) => q.rank(`u${i % size}`, held, now));
  console.log(`${"".padEnd(44)} ratio index/sort: ${(indexed / sorted).toFixed(0)}x`);
}
console.log(`\nratio admit/poll decision cost: ${(steady / pending).toFixed(2)}x`);

console.log("\nthe index under each admission policy: 10,000 waiting jobs of 100 owners (7 priority levels), 5 holders");
{
  const size = 10_000;
  const owned = Array.from({ length: size }, (_, i) => {
    const j = job(i, { phase: "Queued", attempts: 0 });
    return { ...j, spec: { ...j.spec, owner: `o${i % 100}` } };
  });
  const held = new Set(["u1", "u2", "u3", "u4", "u5"]);
  const figures = new Map<string, { build: number; rank: number; rescore: number; churn: number }>();
  for (const kind of ["fifo", "fair"] as const) {
    const q = new AdmissionQueue(opts, { kind });
    const tb = performance.now();
    for (const j of owned) q.update(j);
    const build = performance.now() - tb;
    console.log(`${`${kind}: index built from events`.padEnd(44)} ${build.toFixed(1).padStart(10)} ms once`);
    const rank = rate(`${kind}: a waiting job's rank`, 200_000, (i) => q.rank(`u${i % size}`, held, now));
    // A slot table change: every owner's score moves (fair re-sorts the owners, never the jobs).
    let k = 0;
    const rescore = rate(`${kind}: usage snapshot (admission/release)`, 20_000, () => {
      const shift = k++;
      q.setUsage({ running: () => 0, score: (o) => (Number(o.slice(o.lastIndexOf("/") + 2)) * 7 + shift) % 100 });
    });
    // A job admitted and another queued (the informer's updates to the index).
    const churn = rate(`${kind}: one job leaves, one arrives`, 50_000, (i) => {
      const j = owned[i % size]!;
      q.update({ ...j, status: { phase: "Starting" } });
      q.update(j);
    });
    figures.set(kind, { build, rank, rescore, churn });
  }
  const fair = figures.get("fair")!;
  const fifo = figures.get("fifo")!;
  console.log(`ratio fair/fifo (time; at most 1.10x wanted): build ${(fair.build / fifo.build).toFixed(2)}x, rank ${(fifo.rank / fair.rank).toFixed(2)}x, one job leaves+arrives ${(fifo.churn / fair.churn).toFixed(2)}x; a usage snapshot costs fair ${(1e6 / fair.rescore).toFixed(1)} µs (fifo: nothing to re-key)`);
}

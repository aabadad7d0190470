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

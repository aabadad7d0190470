/**
 * bench:operator — admission latency, slot refill latency, and memory/throughput at 10,000 Queued jobs, for the
 * real operator process (operator/main.ts, production defaults) on the real stack (kube-apiserver, FerretDB,
 * Redis, moto ECS), plus the original service's 2-second polling loop as the admission baseline. Prints
 * figures and ratios; asserts nothing.
 *   npm run bench:operator
 *   npm run bench:operator -- --jobs 50 --refills 10 --scale 2000 --only admission,baseline
 */
import { cpus, loadavg } from "node:os";
import { startStack, type Stack } from "../../stack/index.js";
import { installExitHandlers } from "../../stack/index.js";
import { OPERATOR_ENV, OPERATOR_NODE_FLAGS } from "../../operator/build.js";
import { measureAdmission } from "./admission.js";
import { measureBaseline } from "./baseline.js";
import { holdTasksRunning, setupEcs } from "./ecs.js";
import { FlagError, parseFlags, type Flags } from "./flags.js";
import { measureRefill } from "./refill.js";
import { measureScale, type ScaleFigures } from "./scale.js";
import { openContext, openScenario, type BenchContext } from "./setup.js";
import { against, ratio, summarize, summaryHeader, summaryRow, type LatencySamples, type Summary } from "./stats.js";

const say = (line: string) => console.log(line);
const load = () => loadavg().map((x) => x.toFixed(1)).join(" ");
const progressEvery = (label: string, total: number, step: number) => (done: number) => {
  if (done % step === 0 || done === total) say(`  ${label}: ${done}/${total}`);
};

/** Summaries to the launch called (the issue's measure) and to RunTask returned. */
interface Latency {
  called: Summary;
  returned: Summary;
}
const latency = (s: LatencySamples): Latency => ({ called: summarize(s.called), returned: summarize(s.returned) });

type Policy = "fair" | "fifo";
type AdmissionResult = Latency & { toClaim: Summary; release: Summary };

interface Results {
  /** Per ADMISSION_POLICY, in the flags' order. */
  admission: Map<Policy, AdmissionResult>;
  baseline?: Latency;
  refill?: Latency;
  scale: Map<Policy, ScaleFigures>;
}

/** Load averages seen at the start and end of each scenario: on a shared machine they explain the figures. */
const loads: string[] = [];

async function runAll(ctx: BenchContext, flags: Flags, r: Results): Promise<void> {
  const mark = (what: string) => {
    loads.push(`${what}: ${load()}`);
  };
  for (const policy of flags.only.has("admission") ? flags.policies : []) {
    say(`\n[1/4] admission latency, ours, ADMISSION_POLICY=${policy}: ${flags.jobs} jobs of ${flags.owners} owners in bursts of ${flags.burst}, slots free before each burst`);
    const s = await openScenario(ctx, `adm-${policy}`, { ADMISSION_POLICY: policy });
    s.jobs.owners = flags.owners;
    try {
      mark(`admission ${policy} start`);
      const a = await measureAdmission(ctx, s, progressEvery("jobs", flags.jobs, 50));
      mark(`admission ${policy} end`);
      r.admission.set(policy, { ...latency(a), toClaim: summarize(a.toClaim), release: summarize(a.releases) });
    } finally {
      await s.close();
    }
  }
  if (flags.only.has("baseline")) {
    say(`\n[2/4] admission latency, baseline (LPOP "VideoJobs" every ${flags.baselineIntervalMs} ms, counter capped at 5): ${flags.jobs} jobs in bursts of ${flags.burst}`);
    const ecs = await setupEcs(ctx.env.ecs, `bench-baseline-${Date.now().toString(36)}`, "10.99");
    try {
      mark("baseline start");
      const lat = await measureBaseline(ctx.redis, ecs, { jobs: flags.jobs, burst: flags.burst, jitterMs: flags.jitterMs, intervalMs: flags.baselineIntervalMs }, progressEvery("jobs", flags.jobs, 50));
      r.baseline = latency(lat);
      mark("baseline end");
    } finally {
      ecs.ecs.destroy();
    }
  }
  if (flags.only.has("refill")) {
    say(`\n[3/4] slot refill latency: 5 running, ${flags.refills + 3} queued, ${flags.refills} task exits`);
    const s = await openScenario(ctx, "ref");
    try {
      mark("refill start");
      r.refill = latency(await measureRefill(ctx, s, progressEvery("refills", flags.refills, 10)));
      mark("refill end");
    } finally {
      await s.close();
    }
  }
  for (const policy of flags.only.has("scale") ? flags.policies : []) {
    say(`\n[4/4] ADMISSION_POLICY=${policy}: ${flags.scale} TranscodeJobs of ${flags.owners} owners (5 running, the rest Queued), ${flags.scaleConcurrency} concurrent creates, ${flags.scaleWindowS} s steady window`);
    const s = await openScenario(ctx, `scale-${policy}`, { ADMISSION_POLICY: policy });
    s.jobs.owners = flags.owners;
    try {
      mark(`scale ${policy} start`);
      r.scale.set(policy, await measureScale(ctx, s, say));
      mark(`scale ${policy} end`);
    } finally {
      await s.close();
    }
  }
}

function report(flags: Flags, r: Results): void {
  const settings = Object.keys(flags.operatorEnv).length ? Object.entries(flags.operatorEnv).map(([k, v]) => `${k}=${v}`).join(" ") : "production defaults (POLL_MS=2000 QUEUED_POLL_MS=10000 WORKERS=10 MAX_CONCURRENT_TASKS=5)";
  say(`\n=== bench:operator results — node ${process.version}, ${cpus().length} CPUs, operator runner: ${flags.runner}${flags.runner === "bundle" ? ` (${Object.entries(OPERATOR_ENV).map(([k, v]) => `${k}=${v} `).join("")}node ${OPERATOR_NODE_FLAGS.join(" ")})` : ""}, settings: ${settings}`);
  say(`load average (1/5/15 min) on this shared machine — ${loads.join("; ")}`);
  say("latency: client clock before create / RPUSH / the task's result -> the launch called (\"launching task\": ListTasks, then RunTask), and -> RunTask returned (\"task launched\")");
  say(summaryHeader());
  for (const [policy, a] of r.admission) {
    say(summaryRow(`admission, ours (${policy}): launch called`, a.called));
    say(summaryRow(`admission, ours (${policy}): RunTask returned`, a.returned));
    say(summaryRow(`  (ours, ${policy}) create -> slot claimed`, a.toClaim));
  }
  if (r.baseline) {
    say(summaryRow("admission, baseline: RunTask called", r.baseline.called));
    say(summaryRow("admission, baseline: returned", r.baseline.returned));
  }
  if (r.refill) {
    say(summaryRow("slot refill, ours: launch called", r.refill.called));
    say(summaryRow("slot refill, ours: RunTask returned", r.refill.returned));
  }
  for (const [policy, a] of r.admission) say(summaryRow(`  (context, ${policy}) StopTask -> slots free`, a.release));
  for (const [policy, a] of r.admission) say(`admission p99 (launch called, ${policy}): ${against(a.called.p99, 100, "ms")}`);
  const fair = r.admission.get("fair");
  const fifo = r.admission.get("fifo");
  if (fair && fifo) {
    say(`admission ratio fair/fifo, launch called: p50 ${ratio(fair.called.p50, fifo.called.p50)}; p99 ${ratio(fair.called.p99, fifo.called.p99)} (fair may be at most 1.10x)`);
    say(`admission ratio fair/fifo, create -> slot claimed: p50 ${ratio(fair.toClaim.p50, fifo.toClaim.p50)}; p99 ${ratio(fair.toClaim.p99, fifo.toClaim.p99)}`);
  }
  for (const [policy, a] of r.admission) {
    if (r.baseline) {
      say(`admission ratio ours (${policy})/baseline, called: p50 ${ratio(a.called.p50, r.baseline.called.p50)}; p99 ${ratio(a.called.p99, r.baseline.called.p99)}`);
      say(`admission ratio ours (${policy})/baseline, returned: p50 ${ratio(a.returned.p50, r.baseline.returned.p50)}; p99 ${ratio(a.returned.p99, r.baseline.returned.p99)}`);
    }
  }
  if (r.refill) say(`refill (launch called) p50: ${against(r.refill.called.p50, 1000, "ms")}; p99: ${against(r.refill.called.p99, 1000, "ms")}`);
  for (const [policy, sc] of r.scale) {
    const at = `scale (${policy})`;
    say(`${at}: ${sc.jobs} jobs created (operator stopped) in ${sc.createSeconds.toFixed(1)} s (${(sc.jobs / sc.createSeconds).toFixed(0)}/s, ${sc.createErrors} errors); operator start to ready (all listed) ${sc.startSeconds.toFixed(1)} s`);
    say(
      (sc.settleSeconds === undefined
        ? `${at}: NOT all Queued within ${flags.scaleSettleS} s of the start (operator cache: ${sc.queuedInCache} Queued)`
        : `${at}: every job Queued/launched ${sc.settleSeconds.toFixed(1)} s after the operator started`) +
        `; meanwhile ${sc.settleReconcilesPerSec.toFixed(1)} reconciles/s, ${sc.settleCpuMsPerReconcile.toFixed(1)} CPU ms per reconcile`,
    );
    say(`${at}: steady ${sc.windowSeconds.toFixed(0)} s window: ${sc.reconcilesPerSec.toFixed(1)} reconciles/s (demand to revisit every Queued job each QUEUED_POLL_MS: ${sc.demandPerSec.toFixed(0)}/s), ${sc.windowCpuMsPerReconcile.toFixed(1)} CPU ms per reconcile, ${sc.windowCpuCores.toFixed(2)} cores busy, mean reconcile ${sc.meanReconcileMs.toFixed(1)} ms wall, queue depth mean ${sc.queueDepthMean.toFixed(0)} max ${sc.queueDepthMax}`);
    say(`${at}: RSS idle ${sc.idleRssMiB.toFixed(1)} MiB, peak ${sc.rssPeakMiB.toFixed(1)} MiB, steady mean ${sc.rssWindowMeanMiB.toFixed(1)} MiB; at the end: V8 heap used ${sc.heapUsedMiB.toFixed(1)} of ${sc.heapTotalMiB.toFixed(1)} MiB, external ${sc.externalMiB.toFixed(1)} MiB`);
    say(`${at}: RSS peak ${against(sc.rssPeakMiB, 200, "MiB")}`);
    say(`${at}: apiserver phases ${sc.apiserverPhases}; MongoDB job records ${sc.mongoRecords}`);
  }
  const sf = r.scale.get("fair");
  const so = r.scale.get("fifo");
  if (sf && so) {
    const settle = sf.settleSeconds !== undefined && so.settleSeconds !== undefined ? ratio(sf.settleSeconds, so.settleSeconds) : "-";
    say(
      `scale ratio fair/fifo (fair may be at most 1.10x): settle ${settle}; settle CPU ms per reconcile ${ratio(sf.settleCpuMsPerReconcile, so.settleCpuMsPerReconcile)}; steady CPU ms per reconcile ${ratio(sf.windowCpuMsPerReconcile, so.windowCpuMsPerReconcile)}; mean reconcile ${ratio(sf.meanReconcileMs, so.meanReconcileMs)}; RSS peak ${ratio(sf.rssPeakMiB, so.rssPeakMiB)}`,
    );
  }
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof FlagError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  installExitHandlers();
  const t0 = Date.now();
  say("starting the stack (kube-apiserver, FerretDB, Redis, MinIO, moto)...");
  let stack: Stack | undefined;
  let ctx: BenchContext | undefined;
  const results: Results = { admission: new Map(), scale: new Map() };
  let failure: unknown;
  try {
    stack = await startStack();
    say(`stack ready in ${((Date.now() - t0) / 1000).toFixed(1)} s; logs in ${stack.logDir}`);
    await holdTasksRunning(stack.env.ecs);
    ctx = await openContext(stack.env, flags);
    await runAll(ctx, flags, results);
  } catch (err) {
    failure = err;
  } finally {
    await ctx?.close().catch(() => undefined);
    await stack?.stop().catch((e: unknown) => console.error(`stack stop: ${(e as Error).message}`));
  }
  report(flags, results);
  say(`\ntotal bench time ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  if (failure) {
    console.error(`\nbench:operator stopped early: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`);
    process.exit(1);
  }
}

void main();

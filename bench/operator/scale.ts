/**
 * Operator memory and reconcile throughput with many Queued TranscodeJobs. The jobs are created (bounded
 * concurrency) while the operator is stopped, so the create rate is the apiserver's alone; then a fresh operator
 * starts, lists them all, launches five (held running) and writes the rest Queued. RSS from /proc/<pid>/status,
 * CPU from /proc/<pid>/stat, reconciles/s from the operator's own /metrics (transcode_operator_reconcile_total).
 */
import type { BenchContext, Scenario } from "./setup.js";
import { formatPhases } from "./jobs.js";
import { mapLimit, sleep } from "./stats.js";

export interface ScaleFigures {
  jobs: number;
  idleRssMiB: number;
  createSeconds: number;
  createErrors: number;
  /** Spawn to ready (leading, informer synced with every job listed). */
  startSeconds: number;
  /** Seconds from the operator's start until its cache shows every job Queued or launched; undefined if not reached. */
  settleSeconds: number | undefined;
  settleReconcilesPerSec: number;
  settleCpuMsPerReconcile: number;
  queuedInCache: number;
  windowSeconds: number;
  reconcilesPerSec: number;
  windowCpuMsPerReconcile: number;
  /** Share of one core the operator used in the window. */
  windowCpuCores: number;
  meanReconcileMs: number;
  queueDepthMean: number;
  queueDepthMax: number;
  rssPeakMiB: number;
  rssWindowMeanMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  apiserverPhases: string;
  mongoRecords: number;
  /** Reconciles per second needed to revisit every Queued job once per QUEUED_POLL_MS. */
  demandPerSec: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function measureScale(ctx: BenchContext, s: Scenario, log: (line: string) => void): Promise<ScaleFigures> {
  const n = ctx.flags.scale;
  await sleep(2000);
  const idleRssMiB = s.operator.rssMiB();
  await s.stopOperator();

  const tc = Date.now();
  let createErrors = 0;
  let created = 0;
  const ticker = setInterval(() => log(`  creating: ${created}/${n}`), 15_000);
  try {
    await mapLimit(
      Array.from({ length: n }, (_, i) => `scale-${String(i).padStart(6, "0")}`),
      ctx.flags.scaleConcurrency,
      async (name) => {
        try {
          await s.jobs.create(name);
          created++;
        } catch {
          createErrors++;
        }
      },
    );
  } finally {
    clearInterval(ticker);
  }
  const createSeconds = (Date.now() - tc) / 1000;
  log(`  created ${created} in ${createSeconds.toFixed(1)} s (${createErrors} errors); starting the operator`);

  const ts = Date.now();
  await s.startOperator();
  const op = s.operator;
  const startSeconds = (Date.now() - ts) / 1000;
  let rssPeakMiB = op.rssMiB();
  const sampler = setInterval(() => {
    try {
      rssPeakMiB = Math.max(rssPeakMiB, op.rssMiB());
    } catch {
      // the process is gone; its exit is reported by the scenario
    }
  }, 250);
  try {
    const r0 = await op.metric("transcode_operator_reconcile_total");
    const c0 = op.cpuSeconds();
    let settleSeconds: number | undefined;
    let queuedInCache = 0;
    let lastLog = Date.now();
    const settleDeadline = ts + ctx.flags.scaleSettleS * 1000;
    for (;;) {
      await sleep(1000);
      queuedInCache = await op.metric("transcode_operator_jobs", 'phase="Queued"');
      const launched = op.launchedSince(0).length;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        const depth = await op.metric("workqueue_depth", `name="transcodejobs"`);
        log(`  t=${((Date.now() - ts) / 1000).toFixed(0)}s queued(cache)=${queuedInCache} launched=${launched} queueDepth=${depth} rss=${op.rssMiB().toFixed(0)} MiB`);
      }
      if (queuedInCache + launched >= created) {
        settleSeconds = (Date.now() - ts) / 1000;
        break;
      }
      if (Date.now() > settleDeadline) break;
    }
    const r1 = await op.metric("transcode_operator_reconcile_total");
    const c1 = op.cpuSeconds();
    const settleReconcilesPerSec = (r1 - r0) / ((Date.now() - ts) / 1000);

    // Steady state: nothing changes any more; every Queued job is revisited each QUEUED_POLL_MS.
    const sum0 = await op.metric("transcode_operator_reconcile_duration_seconds_sum");
    const cnt0 = await op.metric("transcode_operator_reconcile_duration_seconds_count");
    const tw0 = Date.now();
    const depths: number[] = [];
    const rss: number[] = [];
    while (Date.now() - tw0 < ctx.flags.scaleWindowS * 1000) {
      await sleep(1000);
      depths.push(await op.metric("workqueue_depth", `name="transcodejobs"`));
      rss.push(op.rssMiB());
    }
    const secs = (Date.now() - tw0) / 1000;
    const c2 = op.cpuSeconds();
    const sum1 = await op.metric("transcode_operator_reconcile_duration_seconds_sum");
    const cnt1 = await op.metric("transcode_operator_reconcile_duration_seconds_count");
    const r2 = await op.metric("transcode_operator_reconcile_total");
    const heapUsedMiB = (await op.metric("nodejs_heap_size_used_bytes")) / 2 ** 20;
    const heapTotalMiB = (await op.metric("nodejs_heap_size_total_bytes")) / 2 ** 20;
    const externalMiB = (await op.metric("nodejs_external_memory_bytes")) / 2 ** 20;
    const phases = await s.jobs.phases();
    const mongoRecords = await s.db.collection("jobs").countDocuments();
    const queuedPollMs = Number(ctx.flags.operatorEnv.QUEUED_POLL_MS ?? 10_000);
    return {
      jobs: n,
      idleRssMiB,
      createSeconds,
      createErrors,
      startSeconds,
      settleSeconds,
      settleReconcilesPerSec,
      settleCpuMsPerReconcile: ((c1 - c0) * 1000) / Math.max(1, r1 - r0),
      queuedInCache,
      windowSeconds: secs,
      reconcilesPerSec: (r2 - r1) / secs,
      windowCpuMsPerReconcile: ((c2 - c1) * 1000) / Math.max(1, r2 - r1),
      windowCpuCores: (c2 - c1) / secs,
      meanReconcileMs: cnt1 > cnt0 ? ((sum1 - sum0) / (cnt1 - cnt0)) * 1000 : Number.NaN,
      queueDepthMean: mean(depths),
      queueDepthMax: Math.max(...depths),
      rssPeakMiB,
      rssWindowMeanMiB: mean(rss),
      heapUsedMiB,
      heapTotalMiB,
      externalMiB,
      apiserverPhases: formatPhases(phases),
      mongoRecords,
      demandPerSec: (created - 5) / (queuedPollMs / 1000),
    };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Operator memory and reconcile throughput with many Queued TranscodeJobs: five tasks held running, the rest
 * created with bounded concurrency; RSS sampled from /proc/<pid>/status, reconciles/s from the operator's
 * own /metrics (transcode_operator_reconcile_total).
 */
import type { BenchContext, Scenario } from "./setup.js";
import { formatPhases } from "./jobs.js";
import { mapLimit, sleep } from "./stats.js";

export interface ScaleFigures {
  jobs: number;
  idleRssMiB: number;
  createSeconds: number;
  createErrors: number;
  /** Seconds from the first create until the operator's cache shows every job Queued or launched; undefined if not reached. */
  settleSeconds: number | undefined;
  settleReconcilesPerSec: number;
  queuedInCache: number;
  windowSeconds: number;
  reconcilesPerSec: number;
  meanReconcileMs: number;
  queueDepthMean: number;
  queueDepthMax: number;
  rssPeakMiB: number;
  rssWindowMeanMiB: number;
  heapUsedMiB: number;
  apiserverPhases: string;
  mongoRecords: number;
  /** Reconciles per second needed to revisit every Queued job once per QUEUED_POLL_MS. */
  demandPerSec: number;
}

export async function measureScale(ctx: BenchContext, s: Scenario, log: (line: string) => void): Promise<ScaleFigures> {
  const n = ctx.flags.scale;
  const op = s.operator;
  await sleep(2000);
  const idleRssMiB = op.rssMiB();
  let rssPeakMiB = idleRssMiB;
  const sampler = setInterval(() => {
    try {
      rssPeakMiB = Math.max(rssPeakMiB, op.rssMiB());
    } catch {
      // the process is gone; the scenario reports it through its own errors
    }
  }, 250);
  try {
    const t0 = Date.now();
    const r0 = await op.metric("transcode_operator_reconcile_total");
    let createErrors = 0;
    let createdCount = 0;
    let createDone = false;
    const creating = mapLimit(
      Array.from({ length: n }, (_, i) => `scale-${String(i).padStart(6, "0")}`),
      ctx.flags.scaleConcurrency,
      async (name) => {
        try {
          await s.jobs.create(name);
          createdCount++;
        } catch {
          createErrors++;
        }
      },
    ).finally(() => (createDone = true));

    // Settle: every job seen and written Queued (or launched) by the operator, as its own cache shows it.
    let settleSeconds: number | undefined;
    let queuedInCache = 0;
    let lastLog = 0;
    const settleDeadline = t0 + ctx.flags.scaleSettleS * 1000;
    let createSeconds = Number.NaN;
    for (;;) {
      await sleep(1000);
      if (createDone && Number.isNaN(createSeconds)) createSeconds = (Date.now() - t0) / 1000;
      queuedInCache = await op.metric("transcode_operator_jobs", 'phase="Queued"');
      const launched = op.launchedSince(0).length;
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        const depth = await op.metric("transcode_operator_queue_depth");
        log(`  t=${((Date.now() - t0) / 1000).toFixed(0)}s created=${createdCount} queued(cache)=${queuedInCache} launched=${launched} queueDepth=${depth} rss=${op.rssMiB().toFixed(0)} MiB`);
      }
      if (createDone && queuedInCache + launched >= n - createErrors) {
        settleSeconds = (Date.now() - t0) / 1000;
        break;
      }
      if (Date.now() > settleDeadline) break;
    }
    await creating;
    if (Number.isNaN(createSeconds)) createSeconds = (Date.now() - t0) / 1000;
    const r1 = await op.metric("transcode_operator_reconcile_total");
    const settleReconcilesPerSec = (r1 - r0) / ((Date.now() - t0) / 1000);

    // Steady state: nothing changes any more; every Queued job is revisited each QUEUED_POLL_MS.
    const w = ctx.flags.scaleWindowS;
    const sum0 = await op.metric("transcode_operator_reconcile_duration_seconds_sum");
    const cnt0 = await op.metric("transcode_operator_reconcile_duration_seconds_count");
    const rw0 = await op.metric("transcode_operator_reconcile_total");
    const tw0 = Date.now();
    const depths: number[] = [];
    const rss: number[] = [];
    while (Date.now() - tw0 < w * 1000) {
      await sleep(1000);
      depths.push(await op.metric("transcode_operator_queue_depth"));
      rss.push(op.rssMiB());
    }
    const secs = (Date.now() - tw0) / 1000;
    const rw1 = await op.metric("transcode_operator_reconcile_total");
    const sum1 = await op.metric("transcode_operator_reconcile_duration_seconds_sum");
    const cnt1 = await op.metric("transcode_operator_reconcile_duration_seconds_count");
    const heapUsedMiB = (await op.metric("nodejs_heap_size_used_bytes")) / 2 ** 20;
    const phases = await s.jobs.phases();
    const mongoRecords = await s.db.collection("jobs").countDocuments();
    const queuedPollMs = Number(ctx.flags.operatorEnv.QUEUED_POLL_MS ?? 10_000);
    return {
      jobs: n,
      idleRssMiB,
      createSeconds,
      createErrors,
      settleSeconds,
      settleReconcilesPerSec,
      queuedInCache,
      windowSeconds: secs,
      reconcilesPerSec: (rw1 - rw0) / secs,
      meanReconcileMs: cnt1 > cnt0 ? ((sum1 - sum0) / (cnt1 - cnt0)) * 1000 : Number.NaN,
      queueDepthMean: depths.reduce((a, b) => a + b, 0) / Math.max(1, depths.length),
      queueDepthMax: Math.max(...depths),
      rssPeakMiB,
      rssWindowMeanMiB: rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length),
      heapUsedMiB,
      apiserverPhases: formatPhases(phases),
      mongoRecords,
      demandPerSec: (n - 5) / (queuedPollMs / 1000),
    };
  } finally {
    clearInterval(sampler);
  }
}

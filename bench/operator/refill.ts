/**
 * Slot refill latency: five tasks running, more jobs Queued. The bench plays one task's exit (result to Redis,
 * then StopTask in moto); latency = the next "launching task" (and "task launched") of a queued job minus the
 * client's clock just before the result was written.
 */
import type { BenchContext, Scenario } from "./setup.js";
import { playTaskExit } from "./ecs.js";
import { formatPhases, type CreatedJob } from "./jobs.js";
import { sleep, type LatencySamples } from "./stats.js";

interface Running {
  job: CreatedJob;
  arn: string;
  attempt: number;
}

export async function measureRefill(ctx: BenchContext, s: Scenario, progress: (done: number) => void): Promise<LatencySamples> {
  const { refills, jitterMs } = ctx.flags;
  const spare = 3;
  const created: CreatedJob[] = [];
  // One at a time, so creation order (the FIFO admission order) is the name order.
  for (let i = 0; i < 5 + refills + spare; i++) created.push(await s.jobs.create(`ref-${String(i).padStart(5, "0")}`));
  const byKey = new Map(created.map((c) => [c.key, c]));
  const running: Running[] = [];
  for (const c of created.slice(0, 5)) {
    const l = await s.operator.waitLaunch(() => s.operator.launchOf(c.key), 60_000, `launch of ${c.key}`);
    running.push({ job: c, arn: l.task, attempt: l.attempt });
  }
  // Every other job must have been seen and Queued first: a refill then measures a real queue, not a first look.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const phases = await s.jobs.phases();
    if ((phases.get("Queued") ?? 0) === created.length - 5) break;
    if (Date.now() > deadline) throw new Error(`jobs not Queued after 120 s: ${formatPhases(phases)}`);
    await sleep(200);
  }
  const launchedKeys = new Set(running.map((r) => r.job.key));
  const latencies: LatencySamples = { called: [], returned: [] };
  for (let i = 0; i < refills; i++) {
    await sleep(Math.random() * jitterMs);
    const victim = running.shift();
    if (!victim) throw new Error("no running task to stop");
    const t0 = Date.now();
    await playTaskExit(s.ecs, ctx.redis, { uid: victim.job.uid, attempt: victim.attempt, arn: victim.arn });
    const next = await s.operator.waitLaunch(
      () => s.operator.launchedSince(t0).find((x) => !launchedKeys.has(x.key)),
      60_000,
      "the refill launch",
    );
    latencies.called.push(next.launch.calledAt - t0);
    latencies.returned.push(next.launch.at - t0);
    launchedKeys.add(next.key);
    const job = byKey.get(next.key);
    if (!job) throw new Error(`launch of an unknown job ${next.key}`);
    running.push({ job, arn: next.launch.task, attempt: next.launch.attempt });
    progress(i + 1);
  }
  return latencies;
}

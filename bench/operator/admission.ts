/**
 * Admission latency with free slots, ours: TranscodeJobs created in bursts of at most five (so every one finds a
 * free slot); latency = the operator's "launching task" log time (the launcher called: ListTasks, then RunTask)
 * and its "task launched" time (RunTask returned) minus the client's clock just before the create request. Both
 * clocks are this machine's.
 */
import type { BenchContext, Scenario } from "./setup.js";
import { playTaskExit } from "./ecs.js";
import { sleep, type LatencySamples } from "./stats.js";

export interface AdmissionSamples extends LatencySamples {
  /** create -> "slot claimed" (watch, queue, observe, finalizer if missing, claim). */
  toClaim: number[];
  /** Time from the bench's StopTask to the slot being free again (the operator's poll), for context. */
  releases: number[];
}

/** Waits until the slot table is empty: the next burst must find five free slots. */
export async function waitSlotsFree(s: Scenario, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await s.slots.holders()).length > 0) {
    if (Date.now() > deadline) throw new Error(`slots still held after ${timeoutMs} ms: ${JSON.stringify(await s.slots.holders())}`);
    await sleep(20);
  }
}

export async function measureAdmission(ctx: BenchContext, s: Scenario, progress: (done: number) => void): Promise<AdmissionSamples> {
  const { jobs: total, burst, jitterMs } = ctx.flags;
  const out: AdmissionSamples = { called: [], returned: [], toClaim: [], releases: [] };
  for (let i = 0; i < total; i += burst) {
    await sleep(Math.random() * jitterMs);
    const names = Array.from({ length: Math.min(burst, total - i) }, (_, k) => `adm-${String(i + k).padStart(5, "0")}`);
    const created = await Promise.all(names.map((n) => s.jobs.create(n)));
    const launched = await Promise.all(
      created.map(async (c) => ({ c, l: await s.operator.waitLaunch(() => s.operator.launchOf(c.key), 60_000, `launch of ${c.key}`) })),
    );
    for (const { c, l } of launched) {
      out.called.push(l.calledAt - c.t0);
      out.returned.push(l.at - c.t0);
      const claimed = s.operator.claimOf(c.key);
      if (claimed !== undefined) out.toClaim.push(claimed - c.t0);
    }
    const stopAt = Date.now();
    await Promise.all(launched.map(({ c, l }) => playTaskExit(s.ecs, ctx.redis, { uid: c.uid, attempt: l.attempt, arn: l.task })));
    await waitSlotsFree(s, 60_000);
    out.releases.push(Date.now() - stopAt);
    progress(i + names.length);
  }
  return out;
}

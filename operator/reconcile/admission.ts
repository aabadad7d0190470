import type { JobObject } from "../ports/index.js";
import { retryDelayMs } from "./backoff.js";
import { getCondition } from "./conditions.js";
import type { ReconcileOptions } from "./types.js";

/** Reason of the Running condition after a failed attempt that will be retried; its transition time starts the backoff. */
export const RETRY_REASON = "RetryableFailure";

export function toMillis(t: Date | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** When a job that failed a retryable attempt may be launched again; undefined when it is not waiting on a retry. */
export function retryAt(job: JobObject, opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">): number | undefined {
  const attempts = job.status?.attempts ?? 0;
  const running = getCondition(job.status?.conditions, "Running");
  if (attempts <= 0 || running?.status !== "False" || running.reason !== RETRY_REASON) return undefined;
  const since = toMillis(running.lastTransitionTime);
  if (since === undefined) return undefined;
  return since + retryDelayMs(attempts, opts.backoffBaseMs, opts.backoffMaxMs);
}

/** Whether the job is waiting for a slot right now (so it takes a place in the queue). */
export function isWaiting(
  job: JobObject,
  holders: ReadonlySet<string>,
  now: number,
  opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
): boolean {
  const uid = job.metadata?.uid;
  if (!uid || job.metadata?.deletionTimestamp || holders.has(uid)) return false;
  const phase = job.status?.phase ?? "Pending";
  if (phase !== "Pending" && phase !== "Queued") return false;
  if (job.spec.suspend === true) return false;
  const at = retryAt(job, opts);
  return at === undefined || at <= now;
}

/**
 * The admission order: higher priority first, then earlier creation (FIFO), then name for a stable order.
 * Returns the uids of waiting jobs, head first.
 */
export function admissionOrder(
  jobs: readonly JobObject[],
  holders: ReadonlySet<string>,
  now: number,
  opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
): string[] {
  const waiting = jobs.filter((j) => isWaiting(j, holders, now, opts));
  waiting.sort((a, b) => {
    const pa = a.spec.priority ?? 0;
    const pb = b.spec.priority ?? 0;
    if (pa !== pb) return pb - pa;
    const ca = toMillis(a.metadata?.creationTimestamp) ?? 0;
    const cb = toMillis(b.metadata?.creationTimestamp) ?? 0;
    if (ca !== cb) return ca - cb;
    const ka = `${a.metadata?.namespace ?? ""}/${a.metadata?.name ?? ""}`;
    const kb = `${b.metadata?.namespace ?? ""}/${b.metadata?.name ?? ""}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  return waiting.map((j) => j.metadata?.uid ?? "");
}

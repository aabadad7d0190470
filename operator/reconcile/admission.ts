import type { JobObject } from "../ports/index.js";
import { retryDelayMs } from "./backoff.js";
import { getCondition } from "./conditions.js";
import { FIFO_POLICY, NO_USAGE, ownerKey, ownerLimit, type AdmissionPolicy, type UsageView } from "./fair.js";
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

/** Could the job take a queue place at some point without changing: Pending/Queued, not suspended, not deleting. */
export function isCandidate(job: JobObject): boolean {
  const phase = job.status?.phase ?? "Pending";
  return (phase === "Pending" || phase === "Queued") && job.spec.suspend !== true && !job.metadata?.deletionTimestamp;
}

/**
 * The admission order and the owner limits, by sorting everything: the reference the AdmissionQueue index is held
 * equal to by a property test (the controller never sorts).
 *
 * Order: higher priority first. Within a priority level, fifo: earlier creation, then namespace/name. fair: the
 * owners' groups by their score (usage.score, lower first), then by their oldest job (longest waiting), then owner
 * key; within one owner, earlier creation. The score is a snapshot taken when the slot table changes, so ranks are
 * a stable order between admissions and releases.
 *
 * Limits: a waiting job is held back when its owner's slots now plus the owner's waiting jobs before it (in the
 * owner's own order: priority, then creation) reach the owner's limit. Held jobs take no rank; the others' ranks
 * skip them. Since a claim turns a waiting job into a holder, the sum stays the same for the jobs behind it: two
 * reconciles working from one slot table can never admit past the limit.
 */
export function admissionPlaces(
  jobs: readonly JobObject[],
  holders: ReadonlySet<string>,
  now: number,
  opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
  policy: AdmissionPolicy = FIFO_POLICY,
  usage: UsageView = NO_USAGE,
): { order: string[]; held: Map<string, number> } {
  const fair = policy.kind === "fair";
  const keyed = (j: JobObject) => ({
    uid: j.metadata?.uid ?? "",
    priority: j.spec.priority ?? 0,
    created: toMillis(j.metadata?.creationTimestamp) ?? 0,
    key: `${j.metadata?.namespace ?? ""}/${j.metadata?.name ?? ""}`,
    owner: ownerKey(j),
    limit: ownerLimit(policy, j.metadata?.namespace ?? ""),
  });
  type K = ReturnType<typeof keyed>;
  const fifo = (a: K, b: K) => b.priority - a.priority || a.created - b.created || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  // Each (priority, owner) group's oldest candidate, waiting or not: "longest waiting" between owners.
  const heads = new Map<string, K>();
  for (const c of jobs.filter(isCandidate).map(keyed)) {
    const g = `${c.priority}|${c.owner}`;
    const h = heads.get(g);
    if (!h || fifo(c, h) < 0) heads.set(g, c);
  }
  const compare = (a: K, b: K): number => {
    if (!fair || a.priority !== b.priority || a.owner === b.owner) return fifo(a, b);
    const ha = heads.get(`${a.priority}|${a.owner}`)!;
    const hb = heads.get(`${b.priority}|${b.owner}`)!;
    return usage.score(a.owner) - usage.score(b.owner) || fifo(ha, hb) || (a.owner < b.owner ? -1 : 1);
  };
  const waiting = jobs.filter((j) => isWaiting(j, holders, now, opts)).map(keyed);
  const held = new Map<string, number>();
  const seen = new Map<string, number>();
  for (const w of [...waiting].sort(fifo)) {
    const ahead = seen.get(w.owner) ?? 0;
    seen.set(w.owner, ahead + 1);
    if (w.limit !== undefined && usage.running(w.owner) + ahead >= w.limit) held.set(w.uid, w.limit);
  }
  const order = waiting.filter((w) => !held.has(w.uid)).sort(compare).map((w) => w.uid);
  return { order, held };
}

/** The fifo admission order without limits (uids of waiting jobs, head first). */
export function admissionOrder(
  jobs: readonly JobObject[],
  holders: ReadonlySet<string>,
  now: number,
  opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
): string[] {
  return admissionPlaces(jobs, holders, now, opts).order;
}

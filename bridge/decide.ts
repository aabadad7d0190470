/**
 * The bridge's decisions, as pure functions with table tests: how a create error is treated, when an
 * entry goes to the dead-letter stream, how long to back off.
 */

import { TerminalError, type TransientError } from "../lib/errors/index.js";

/** What a failed create means for the entry. */
export type CreateErrorKind = "exists" | "terminal" | "transient";

/** Status reasons of an object the apiserver refuses for what it is (schema, CEL): retrying cannot help. */
const REFUSED_OBJECT = new Set(["Invalid", "BadRequest"]);

/**
 * The bridge's policy over the one apiserver error mapping (lib/kube): AlreadyExists is success (the job is there,
 * which is all the bridge wants), a refused object is dead-lettered at once, and everything else waits and is
 * retried, terminal for a single request or not: a missing CRD or namespace (NotFound) and RBAC being fixed
 * (Forbidden, Unauthorized) are conditions of the cluster that pass.
 */
export function createFailureKind(err: TransientError | TerminalError): CreateErrorKind {
  if (!(err instanceof TerminalError)) return "transient";
  if (err.reason === "AlreadyExists") return "exists";
  return REFUSED_OBJECT.has(err.reason) ? "terminal" : "transient";
}

export type FailureAction = "retry" | "dead-letter";

/**
 * After a failed attempt: terminal errors go to the dead-letter stream at once; transient ones are
 * retried until the entry has been delivered `maxDeliveries` times (the stream's own delivery counter, so
 * the count survives restarts and moves with the entry between consumers).
 */
export function afterFailure(kind: Exclude<CreateErrorKind, "exists">, deliveries: number, maxDeliveries: number): FailureAction {
  if (kind === "terminal") return "dead-letter";
  return deliveries >= maxDeliveries ? "dead-letter" : "retry";
}

/**
 * Before processing an entry claimed from a dead consumer: one already delivered more than
 * `maxDeliveries` times (its last tries failed without anyone recording a verdict, e.g. the consumer
 * crashed on it every time) goes to the dead-letter stream instead of being tried again.
 */
export function claimedEntryAction(deliveries: number, maxDeliveries: number): "process" | "dead-letter" {
  return deliveries > maxDeliveries ? "dead-letter" : "process";
}

/** Exponential backoff after consecutive transient failures, so an apiserver outage is not hammered. */
export function backoffMs(consecutiveFailures: number, baseMs = 200, maxMs = 10_000): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(maxMs, baseMs * 2 ** Math.min(consecutiveFailures - 1, 20));
}

/** Stream entry ids are "<ms>-<seq>"; compares them numerically (string order is wrong for "9-0" vs "10-0"). */
export function compareStreamIds(a: string, b: string): number {
  const [am = "0", as = "0"] = a.split("-");
  const [bm = "0", bs = "0"] = b.split("-");
  const d = BigInt(am) - BigInt(bm);
  if (d !== 0n) return d < 0n ? -1 : 1;
  const s = BigInt(as) - BigInt(bs);
  return s === 0n ? 0 : s < 0n ? -1 : 1;
}

/**
 * The id below which the stream may be trimmed: older than the retention window, and never past an entry
 * the group has not yet delivered or acknowledged.
 */
export function trimBefore(nowMs: number, retentionMs: number, lastDeliveredId: string, oldestPendingId: string | undefined): string {
  let min = `${Math.max(0, nowMs - retentionMs)}-0`;
  if (compareStreamIds(lastDeliveredId, min) < 0) min = lastDeliveredId;
  if (oldestPendingId !== undefined && compareStreamIds(oldestPendingId, min) < 0) min = oldestPendingId;
  return min;
}

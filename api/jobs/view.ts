import { FILENAME_ANNOTATION, OWNER_LABEL, Outputs, Phase, Progress, outputPrefixOf, sourceFilename, type TenancyPolicy } from "../../crds/index.js";
import type { JobRecord } from "../../lib/store/index.js";
import type { KubeJob } from "./cluster.js";
import { REENCODES_ANNOTATION } from "./names.js";
import type { JobView } from "./schemas.js";

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/**
 * What a user reads about a job's state: one fixed sentence per reason. The operator's status message can hold
 * internal text (an SDK's error, ffmpeg's words); that stays in the logs and the job's Events.
 */
const USER_MESSAGES: Record<string, string> = {
  Queued: "waiting for a transcoding slot",
  BackoffRetry: "an attempt failed; the next one waits for its backoff",
  Requeued: "an attempt failed; the job waits for another",
  Launched: "the transcoding task is starting",
  Suspended: "the job is suspended",
  BackoffLimitExceeded: "every attempt failed",
  DeadlineExceeded: "the job ran past its deadline",
  StartTimeout: "the transcoding task did not start in time",
  Stalled: "the transcoding task stopped reporting progress",
  LaunchFailed: "the transcoding task could not be started",
  InvalidResult: "the transcoder reported outputs outside the job's own storage; nothing was published",
  TenancyViolation: "the job reads or writes outside its owner's own storage; it was never started",
  NotMedia: "the upload is not an audio or video file",
  CorruptInput: "the upload could not be decoded",
  EmptyInput: "the upload is empty",
  TooLong: "the upload is longer than accepted",
  TooBig: "the upload is larger than accepted",
  SourceNotFound: "the upload is no longer there",
  Interrupted: "the transcoding task was interrupted",
};
const GENERIC_MESSAGE = "see the job's reason; the cluster's Events for the job hold the details";

/** The fixed sentence for `reason` (undefined without one): never the operator's own message text. */
export function userMessage(reason: string | undefined): string | undefined {
  if (reason === undefined) return undefined;
  return USER_MESSAGES[reason] ?? GENERIC_MESSAGE;
}
const iso = (v: unknown): string | undefined => (v instanceof Date ? v.toISOString() : str(v));

/** What a list sorts and filters by, read without building the whole view. */
export function listingOf(job: KubeJob): { id: string; createdAt: string; phase: Phase } {
  const phase = Phase.safeParse(job.status?.phase);
  return { id: job.metadata.name ?? "", createdAt: iso(job.metadata.creationTimestamp) ?? "", phase: phase.success ? phase.data : "Pending" };
}

/**
 * The client's view of a TranscodeJob. Pure: the CR in, the response out. Status fields are parsed one by
 * one, so a status the operator is still filling in (or one from a newer version) never breaks a read.
 */
export function toJobView(job: KubeJob): JobView {
  const spec = job.spec ?? {};
  const status = job.status ?? {};
  const source = (spec.source ?? {}) as Record<string, unknown>;
  const progress = Progress.safeParse(status.progress);
  const outputs = Outputs.safeParse(status.outputs);
  const attempts = typeof status.attempts === "number" ? status.attempts : 0;
  const { id, createdAt, phase } = listingOf(job);
  const view: JobView = {
    id,
    uid: job.metadata.uid ?? "",
    createdAt,
    phase,
    cancelRequested: job.metadata.deletionTimestamp !== undefined,
    source: { key: str(source.key) ?? "", ...(str(source.versionId) ? { versionId: str(source.versionId) } : {}) },
    filename: job.metadata.annotations?.[FILENAME_ANNOTATION] ?? sourceFilename(str(source.key) ?? ""),
    spec,
    attempts,
  };
  const reencodes = job.metadata.annotations?.[REENCODES_ANNOTATION];
  if (reencodes) view.reencodes = reencodes;
  if (progress.success) view.progress = progress.data;
  if (typeof status.queuePosition === "number") view.queuePosition = status.queuePosition;
  const waiting = phase === "Pending" || phase === "Queued" ? admittedFalse(status.conditions) : undefined;
  if (waiting) view.waiting = waiting;
  const startedAt = iso(status.startedAt);
  if (startedAt) view.startedAt = startedAt;
  const completedAt = iso(status.completedAt);
  if (completedAt) view.completedAt = completedAt;
  const reason = str(status.reason);
  if (reason) view.reason = reason;
  const message = userMessage(reason);
  if (message) view.message = message;
  if (outputs.success) view.outputs = outputs.data;
  return view;
}

/** The Admitted condition's reason and message while it is False (why the job waits), from an unparsed status. */
function admittedFalse(conditions: unknown): { reason: string; message: string } | undefined {
  if (!Array.isArray(conditions)) return undefined;
  const c = (conditions as unknown[]).find((x): x is Record<string, unknown> => typeof x === "object" && x !== null && (x as Record<string, unknown>).type === "Admitted");
  if (!c || c.status !== "False") return undefined;
  const reason = str(c.reason);
  return reason ? { reason, message: str(c.message) ?? "" } : undefined;
}

/**
 * The user a job belongs to: its spec.owner (immutable, what the history records), and only while the owner label
 * (what the API lists by, mutable) agrees; a job whose two disagree belongs to nobody here.
 */
export function ownerOf(job: KubeJob): string | undefined {
  const owner = job.spec?.owner;
  return typeof owner === "string" && job.metadata.labels?.[OWNER_LABEL] === owner ? owner : undefined;
}

/** Where the job `name` of `owner` writes, by the tenancy rule: the only keys the API signs for it. */
export function ownOutputPrefix(policy: TenancyPolicy, owner: string, name: string): string {
  return outputPrefixOf(policy, { kind: "user", id: owner }, name);
}

/**
 * The view of a job whose TranscodeJob is gone, from its MongoDB record (the job-record store, lib/store). A record deleted
 * before it reached a final phase was cancelled: deleting the CR is how a job is cancelled.
 */
export function recordToJobView(r: JobRecord): JobView {
  const phase = Phase.safeParse(r.phase);
  const outputs = Outputs.safeParse(r.outputs);
  const source = (r.spec.source ?? {}) as Record<string, unknown>;
  let p = phase.success ? phase.data : "Pending";
  if (r.deletedAt && !["Succeeded", "Failed", "Cancelled"].includes(p)) p = "Cancelled";
  const view: JobView = {
    id: r.name,
    uid: r.uid,
    createdAt: r.createdAt.toISOString(),
    phase: p,
    cancelRequested: r.deletedAt !== undefined,
    source: { key: str(source.key) ?? "", ...(str(source.versionId) ? { versionId: str(source.versionId) } : {}) },
    filename: sourceFilename(str(source.key) ?? ""),
    spec: r.spec,
    attempts: r.attempts,
  };
  const started = r.phaseHistory.find((h) => h.phase === "Starting" || h.phase === "Running");
  if (started) view.startedAt = started.at.toISOString();
  const final = r.phaseHistory.find((h) => ["Succeeded", "Failed", "Cancelled"].includes(h.phase));
  if (final) view.completedAt = final.at.toISOString();
  if (r.reason) view.reason = r.reason;
  const message = userMessage(r.reason ?? undefined);
  if (message) view.message = message;
  if (outputs.success) view.outputs = outputs.data;
  return view;
}

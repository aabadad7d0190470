import { FINAL_PHASES, newTranscodeJob, type TranscodeJobInput } from "../../crds/index.js";
import { HttpError } from "../../lib/errors/index.js";
import { idempotencyKey, isOwnedUploadKey, jobNameFor, UPLOAD_KEY_ANNOTATION, UPLOAD_ORIGIN_ANNOTATION } from "../../lib/uploads/index.js";
import type { CurrentUser } from "../auth/current-user.js";
import type { ApiConfig } from "../config.js";
import type { ApiDeps } from "../deps.js";
import { AlreadyExistsError, InvalidJobError, type KubeJob } from "./cluster.js";
import { IDEMPOTENCY_ANNOTATION, idempotencyDigest, REENCODES_ANNOTATION, renditionSet, REQUEST_HASH_ANNOTATION, requestHash } from "./names.js";
import type { CreateJobBody } from "./schemas.js";
import { boundsIssue } from "./bounds.js";
import { ownerOf } from "./view.js";

const isFinalPhase = (phase: unknown) => (FINAL_PHASES as readonly unknown[]).includes(phase);

export interface CreateOutcome {
  job: KubeJob;
  /** false: the upload already had this job (or the Idempotency-Key was used before), nothing was created. */
  created: boolean;
  /** The job an earlier request with the same Idempotency-Key made. */
  replayed: boolean;
}

export type CreateDeps = Pick<ApiDeps, "jobs" | "storage" | "metrics"> & { config: Pick<ApiConfig, "s3" | "uploads" | "tenancy" | "jobLimits"> };

const annotation = (job: KubeJob, name: string) => job.metadata.annotations?.[name];
const created = (job: KubeJob) => String(job.metadata.creationTimestamp ?? "");
const renditionsOf = (job: KubeJob) => renditionSet(job.spec?.ladder, job.spec?.encoding);

/** The upload's own job: the one that re-encodes nothing (the bridge's, or the first request's), else the oldest. */
function firstOf(jobs: KubeJob[]): KubeJob | undefined {
  const byAge = [...jobs].sort((a, b) => created(a).localeCompare(created(b)));
  return byAge.find((j) => annotation(j, REENCODES_ANNOTATION) === undefined) ?? byAge[0];
}

/**
 * POST /jobs: every upload has one job (the bridge makes it from the S3 event, named by jobNameFor; a request that
 * comes first makes it under the same name, with its options). A request for an upload that already has a job gets
 * that job, unless it asks for another rendition set (ladder/encoding): that is a new job, named from the upload and
 * the set, annotated with the job it re-encodes. Asking again for a set that exists returns that job.
 */
export function jobCreator(deps: CreateDeps) {
  const { jobs, storage, config } = deps;

  function build(user: CurrentUser, name: string, body: CreateJobBody, annotations: Record<string, string>): TranscodeJobInput {
    const { source, ...options } = body;
    const built = newTranscodeJob(
      {
        name,
        namespace: jobs.namespace,
        owner: user.id,
        source: { bucket: storage.uploadsBucket, key: source.key, versionId: source.versionId },
        options,
        annotations,
      },
      config.tenancy,
      "body",
    );
    if (built.ok) return built.job;
    const issue = built.issues[0];
    throw new HttpError(400, issue ? `${issue.path}: ${issue.message}` : "invalid job", { field: issue?.path ?? "body" });
  }

  return async function create(user: CurrentUser, body: CreateJobBody, idemKey?: string): Promise<CreateOutcome> {
    if (!isOwnedUploadKey(config.uploads.prefix, user.id, body.source.key)) {
      throw new HttpError(422, `source.key must be one of your uploads (${config.uploads.prefix}<your id>/...)`, { field: "body.source.key" });
    }
    const out = boundsIssue(body, config.jobLimits);
    if (out) throw new HttpError(400, `${out.path}: ${out.message}`, { field: out.path });
    const hash = requestHash(body);
    const mine = await jobs.ownedBy(user.id);
    const digest = idemKey === undefined ? undefined : idempotencyDigest(user.id, idemKey);
    const replay = digest === undefined ? undefined : mine.find((j) => annotation(j, IDEMPOTENCY_ANNOTATION) === digest);
    if (replay) {
      if (annotation(replay, REQUEST_HASH_ANNOTATION) !== hash) {
        throw new HttpError(422, "this Idempotency-Key was already used with a different request", { field: "header.idempotency-key" });
      }
      return { job: replay, created: false, replayed: true };
    }

    const sameUpload = (j: KubeJob) => {
      const s = (j.spec?.source ?? {}) as { bucket?: unknown; key?: unknown; versionId?: unknown };
      return s.bucket === storage.uploadsBucket && s.key === body.source.key && (body.source.versionId === undefined || s.versionId === body.source.versionId);
    };
    const uploadJobs = mine.filter(sameUpload);
    const wanted = body.ladder === undefined && body.encoding === undefined ? undefined : renditionSet(body.ladder, body.encoding);
    const existing = wanted === undefined ? firstOf(uploadJobs) : uploadJobs.find((j) => renditionsOf(j) === wanted);
    if (existing) return { job: existing, created: false, replayed: false };

    const waiting = mine.filter((j) => !isFinalPhase(j.status?.phase)).length;
    if (waiting >= config.jobLimits.maxQueuedPerUser) {
      throw new HttpError(429, `you have ${waiting} jobs waiting or running, the limit (API_MAX_QUEUED_JOBS_PER_USER) is ${config.jobLimits.maxQueuedPerUser}; retry when one has finished`, {
        type: "queued-jobs-limit",
        headers: { "Retry-After": "60" },
      });
    }
    const object = await storage.head(body.source.key);
    if (!object) throw new HttpError(422, "source.key: no uploaded object with this key", { field: "body.source.key" });
    // The upload's identity exactly as the S3 event gives it to the bridge, so both name its job alike.
    const upload = idempotencyKey({ bucket: storage.uploadsBucket, key: body.source.key, versionId: body.source.versionId ?? object.versionId, etag: object.etag });
    let first = firstOf(uploadJobs);
    for (let round = 0; round < 2; round++) {
      const name = first ? jobNameFor(upload, wanted) : jobNameFor(upload);
      const annotations: Record<string, string> = {
        [UPLOAD_KEY_ANNOTATION]: upload.slice(0, 2048),
        [UPLOAD_ORIGIN_ANNOTATION]: "api",
        [REQUEST_HASH_ANNOTATION]: hash,
        ...(digest ? { [IDEMPOTENCY_ANNOTATION]: digest } : {}),
        ...(first?.metadata.name ? { [REENCODES_ANNOTATION]: first.metadata.name } : {}),
      };
      try {
        const job = await jobs.create(build(user, name, body, annotations));
        deps.metrics.jobsCreated.inc();
        return { job, created: true, replayed: false };
      } catch (err) {
        if (err instanceof InvalidJobError) throw new HttpError(400, "the job spec was refused by the cluster's validation", { field: "body" });
        if (!(err instanceof AlreadyExistsError)) throw err;
      }
      // Made meanwhile: by the bridge (the upload's job) or by a concurrent request like this one.
      const winner = await jobs.get(name, { consistent: true });
      if (!winner) throw new HttpError(409, "the job was created and deleted meanwhile; retry", { field: "body.source.key" });
      if (ownerOf(winner) !== user.id || !sameUpload(winner)) {
        throw new HttpError(409, "another upload's job has this name", { field: "body.source.key" });
      }
      if (wanted === undefined || renditionsOf(winner) === wanted) return { job: winner, created: false, replayed: false };
      first = winner; // the upload's job has another rendition set: this request re-encodes it
    }
    throw new HttpError(409, "the upload's jobs changed while this request ran; retry", { field: "body.source.key" });
  };
}

import { newTranscodeJob, OWNER_LABEL, type TranscodeJobInput } from "../../crds/index.js";
import { HttpError } from "../../lib/errors/index.js";
import { requireUser, type SessionUser } from "../auth/current-user.js";
import type { ApiConfig } from "../config.js";
import type { ApiDeps } from "../deps.js";
import { problemResponses } from "../http/responses.js";
import { defineRoute, type AnyRoute } from "../http/route.js";
import { isOwnedUploadKey } from "../../lib/uploads/index.js";
import { AlreadyExistsError, CursorExpiredError, InvalidJobError, type KubeJob } from "./cluster.js";
import { REQUEST_HASH_ANNOTATION, apiJobName, requestHash } from "./names.js";
import { CreateJobBody, IdempotencyHeaders, JobIdParams, JobListView, JobView, ListJobsQuery, OutputLinksView } from "./schemas.js";
import type { JobView as JobViewT } from "./schemas.js";
import { streamProgress } from "./sse.js";
import { ownerOf, recordToJobView, toJobView } from "./view.js";

const notFound = () => new HttpError(404, "no such job", { field: "path.id" });

/** Cursors wrap the apiserver's continue token so clients never depend on its format. */
const encodeCursor = (token: string) => Buffer.from(token, "utf8").toString("base64url");
const decodeCursor = (cursor: string) => Buffer.from(cursor, "base64url").toString("utf8");

/** What the job routes use: the cluster, the upload store (to check a source exists), history, progress. */
export type JobRouteDeps = Pick<ApiDeps, "jobs" | "storage" | "history" | "progress" | "metrics"> & { config: Pick<ApiConfig, "s3" | "uploads"> };

export function jobRoutes(deps: JobRouteDeps): AnyRoute[] {
  const { jobs, storage, config } = deps;

  /** The caller's live job or a 404: another user's job is indistinguishable from a missing one. */
  async function ownJob(user: SessionUser, id: string): Promise<KubeJob> {
    const job = await jobs.get(id);
    if (!job || ownerOf(job, OWNER_LABEL) !== user.id) throw notFound();
    return job;
  }

  /** The caller's job from the cluster, else from its MongoDB record (a cancelled or deleted job). */
  async function ownJobView(user: SessionUser, id: string): Promise<JobViewT> {
    const job = await jobs.get(id);
    if (job) {
      if (ownerOf(job, OWNER_LABEL) !== user.id) throw notFound();
      return toJobView(job);
    }
    const record = await deps.history.find(user.id, id);
    if (!record || record.owner !== user.id) throw notFound();
    return recordToJobView(record);
  }

  function buildJob(user: SessionUser, name: string, body: CreateJobBody, hash: string): TranscodeJobInput {
    const { source, ...options } = body;
    const built = newTranscodeJob(
      {
        name,
        namespace: jobs.namespace,
        owner: user.id,
        source: { bucket: storage.uploadsBucket, key: source.key, versionId: source.versionId },
        outputsBucket: config.s3.outputsBucket,
        options,
        annotations: { [REQUEST_HASH_ANNOTATION]: hash },
      },
      "body",
    );
    if (built.ok) return built.job;
    const issue = built.issues[0];
    throw new HttpError(400, issue ? `${issue.path}: ${issue.message}` : "invalid job", { field: issue?.path ?? "body" });
  }

  return [
    defineRoute({
      method: "post",
      path: "/jobs",
      operationId: "createJob",
      summary: "Create a TranscodeJob from an uploaded object; Idempotency-Key makes retries safe",
      tags: ["jobs"],
      auth: "user",
      body: CreateJobBody,
      headers: IdempotencyHeaders,
      responses: {
        201: { description: "Created", schema: JobView },
        200: { description: "Replay of an earlier request with the same Idempotency-Key: the first job", schema: JobView },
        ...problemResponses(400, 401, 403, 413, 415, 422, 503),
      },
      handler: async (ctx, { body, headers }) => {
        const user = requireUser(ctx);
        if (!isOwnedUploadKey(config.uploads.prefix, user.id, body.source.key)) {
          throw new HttpError(422, `source.key must be one of your uploads (${config.uploads.prefix}<your id>/...)`, { field: "body.source.key" });
        }
        const idem = headers["idempotency-key"];
        const hash = requestHash(body);
        const name = apiJobName(user.id, idem);
        if (idem !== undefined) {
          const existing = await jobs.get(name);
          if (existing) return replay(existing);
        }
        const object = await storage.head(body.source.key);
        if (!object) throw new HttpError(422, "source.key: no uploaded object with this key", { field: "body.source.key" });
        try {
          const created = await jobs.create(buildJob(user, name, body, hash));
          deps.metrics.jobsCreated.inc();
          ctx.status = 201;
          ctx.set("Location", `/jobs/${name}`);
          ctx.body = toJobView(created);
        } catch (err) {
          if (err instanceof AlreadyExistsError && idem !== undefined) {
            // Lost a race with a concurrent request carrying the same key: the winner's job is the answer.
            const winner = await jobs.get(name);
            if (winner) return replay(winner);
          }
          if (err instanceof InvalidJobError) throw new HttpError(400, "the job spec was refused by the cluster's validation", { field: "body" });
          throw err;
        }

        function replay(job: KubeJob): void {
          if (ownerOf(job, OWNER_LABEL) !== user.id || job.metadata.annotations?.[REQUEST_HASH_ANNOTATION] !== hash) {
            throw new HttpError(422, "this Idempotency-Key was already used with a different request", { field: "header.idempotency-key" });
          }
          ctx.status = 200;
          ctx.set("Idempotent-Replayed", "true");
          ctx.body = toJobView(job);
        }
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs",
      operationId: "listJobs",
      summary: "The caller's jobs, newest pages first by cursor, optionally filtered by phase",
      tags: ["jobs"],
      auth: "user",
      query: ListJobsQuery,
      responses: { 200: { description: "A page of jobs", schema: JobListView }, ...problemResponses(400, 401, 503) },
      handler: async (ctx, { query }) => {
        const user = requireUser(ctx);
        let page;
        try {
          page = await jobs.listByOwner(user.id, query.limit, query.cursor ? decodeCursor(query.cursor) : undefined);
        } catch (err) {
          if (err instanceof CursorExpiredError) throw new HttpError(400, "the cursor is invalid or has expired; start again without it", { field: "query.cursor" });
          throw err;
        }
        const items = page.items.map(toJobView).filter((j) => query.phase === undefined || j.phase === query.phase);
        ctx.body = { items, ...(page.continue ? { nextCursor: encodeCursor(page.continue) } : {}) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id",
      operationId: "getJob",
      summary: "One job: phase, progress, outputs",
      tags: ["jobs"],
      auth: "user",
      params: JobIdParams,
      responses: { 200: { description: "The job", schema: JobView }, ...problemResponses(400, 401, 404, 503) },
      handler: async (ctx, { params }) => {
        const user = requireUser(ctx);
        ctx.body = await ownJobView(user, params.id);
      },
    }),
    defineRoute({
      method: "post",
      path: "/jobs/:id/cancel",
      operationId: "cancelJob",
      summary: "Cancel a job: its TranscodeJob is deleted, the operator stops the task and keeps the record",
      tags: ["jobs"],
      auth: "user",
      params: JobIdParams,
      responses: { 202: { description: "Cancel accepted", schema: JobView }, ...problemResponses(400, 401, 403, 404, 503) },
      handler: async (ctx, { params }) => {
        const user = requireUser(ctx);
        const live = await jobs.get(params.id);
        if (!live) {
          // Only a record is left: the job was already cancelled or deleted (or it is not the caller's: 404).
          const view = await ownJobView(user, params.id);
          throw new HttpError(409, `the job can no longer be cancelled (phase ${view.phase})`, { field: "path.id" });
        }
        const job = await ownJob(user, params.id);
        if (!(await jobs.delete(params.id))) throw notFound();
        ctx.status = 202;
        ctx.body = { ...toJobView(job), cancelRequested: true };
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id/outputs",
      operationId: "getJobOutputs",
      summary: "Presigned download URLs for a job's outputs",
      tags: ["jobs"],
      auth: "user",
      params: JobIdParams,
      responses: { 200: { description: "Download URLs", schema: OutputLinksView }, ...problemResponses(400, 401, 404, 409, 503) },
      handler: async (ctx, { params }) => {
        const user = requireUser(ctx);
        const view = await ownJobView(user, params.id);
        const outputs = view.outputs;
        if (!outputs) throw new HttpError(409, `the job has no outputs yet (phase ${view.phase})`, { field: "path.id" });
        const bucket = config.s3.outputsBucket;
        const ttl = config.uploads.downloadTtlSeconds;
        const sign = (key: string | undefined) => (key ? storage.presignGet(bucket, key, ttl) : Promise.resolve(undefined));
        const [masterPlaylist, manifest, poster] = await Promise.all([sign(outputs.masterPlaylist), sign(outputs.manifest), sign(outputs.poster)]);
        const renditions = await Promise.all(
          outputs.renditions.map(async (r) => ({ name: r.name, playlist: await sign(r.playlist), mp4: await sign(r.mp4) })),
        );
        ctx.body = {
          expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
          ...(masterPlaylist ? { masterPlaylist } : {}),
          ...(manifest ? { manifest } : {}),
          ...(poster ? { poster } : {}),
          renditions,
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id/events",
      operationId: "streamJobProgress",
      summary: "Server-Sent Events: a status event, then progress events as the task reports them",
      tags: ["jobs"],
      auth: "user",
      params: JobIdParams,
      responses: {
        200: { description: "text/event-stream of `status` and `progress` events", contentType: "text/event-stream" },
        ...problemResponses(400, 401, 404, 503),
      },
      handler: async (ctx, { params }) => {
        const user = requireUser(ctx);
        await streamProgress(ctx, deps.progress, await ownJobView(user, params.id));
      },
    }),
  ];
}

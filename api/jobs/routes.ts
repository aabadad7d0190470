import type { Context } from "koa";
import { isUnderPrefix } from "../../crds/index.js";
import { HttpError } from "../../lib/errors/index.js";
import { currentUser, type CurrentUser } from "../auth/current-user.js";
import { READ, WRITE } from "../auth/scopes.js";
import type { ApiConfig } from "../config.js";
import type { ApiDeps } from "../deps.js";
import { problemResponses } from "../http/responses.js";
import { defineRoute, type AnyRoute } from "../http/route.js";
import type { KubeJob } from "./cluster.js";
import { jobCreator } from "./create.js";
import { decodeCursor, newestFirst, pageOf } from "./list.js";
import { CreateJobBody, IdempotencyHeaders, JobIdParams, JobListView, JobView, ListJobsQuery, OutputLinksView } from "./schemas.js";
import type { JobView as JobViewT } from "./schemas.js";
import { SESSION_COOKIE } from "../openapi/document.js";
import { streamProgress } from "./sse.js";
import { listingOf, ownerOf, ownOutputPrefix, recordToJobView, toJobView } from "./view.js";

const notFound = () => new HttpError(404, "no such job", { field: "path.id" });

/** What the job routes use: the jobs (cache + apiserver), the upload store, history, progress, playback links. */
export type JobRouteDeps = Pick<ApiDeps, "jobs" | "storage" | "history" | "progress" | "metrics" | "playback" | "sessionStore" | "tokens"> & {
  config: Pick<ApiConfig, "s3" | "uploads" | "publicUrl" | "tenancy" | "jobLimits" | "session">;
};

export function jobRoutes(deps: JobRouteDeps): AnyRoute[] {
  const { jobs, storage, config } = deps;
  const create = jobCreator(deps);

  /** The caller's live job or a 404: another user's job is indistinguishable from a missing one. */
  async function ownJob(user: CurrentUser, id: string): Promise<KubeJob | undefined> {
    const job = await jobs.get(id);
    if (job && ownerOf(job) !== user.id) throw notFound();
    return job;
  }

  /** The caller's job from the cluster, else from its MongoDB record (a cancelled or deleted job). */
  /** What an open stream re-checks: the request's session (by its id in the signed cookie) or its API token. */
  function credentialCheck(ctx: Context, user: CurrentUser): () => Promise<boolean> {
    if (user.via === "token") {
      const secret = /^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"))?.[1] ?? "";
      return async () => (await deps.tokens.check(secret, new Date())).ok;
    }
    const sid = ctx.cookies.get(SESSION_COOKIE, { signed: true });
    return async () => sid !== undefined && (await deps.sessionStore.alive(sid, user.id));
  }

  async function ownJobView(user: CurrentUser, id: string): Promise<JobViewT> {
    const job = await ownJob(user, id);
    if (job) return toJobView(job);
    deps.metrics.jobReads.inc({ source: "record" });
    const record = await deps.history.find(id, user.id);
    if (!record) throw notFound();
    return recordToJobView(record);
  }

  /** Links to the job's playback routes, with a fresh playback token. */
  function playbackLinks(ctx: Context, id: string) {
    const { token, expiresAt } = deps.playback.issue(id);
    const base = `${config.publicUrl ?? `${ctx.protocol}://${ctx.host}`}/jobs/${id}/playback`;
    return {
      expiresAt,
      master: `${base}/master.m3u8?token=${token}`,
      rendition: (name: string) => `${base}/${encodeURIComponent(name)}/index.m3u8?token=${token}`,
    };
  }

  return [
    defineRoute({
      method: "post",
      path: "/jobs",
      operationId: "createJob",
      summary:
        "A TranscodeJob from one of your uploads. An upload that already has a job gets that job (200) unless another ladder/encoding is asked for: then a new job that re-encodes it (201)",
      tags: ["jobs"],
      auth: WRITE,
      body: CreateJobBody,
      headers: IdempotencyHeaders,
      responses: {
        201: { description: "Created (Location: the job)", schema: JobView },
        200: {
          description: "The upload already has this job (Location: the job), or a replay of an earlier request with the same Idempotency-Key (Idempotent-Replayed: true)",
          schema: JobView,
        },
        ...problemResponses(400, 401, 403, 409, 413, 415, 422, 429, 503),
      },
      handler: async (ctx, { body, headers }) => {
        const outcome = await create(currentUser(ctx), body, headers["idempotency-key"]);
        const id = outcome.job.metadata.name ?? "";
        ctx.status = outcome.created ? 201 : 200;
        ctx.set("Location", `/jobs/${id}`);
        if (outcome.replayed) ctx.set("Idempotent-Replayed", "true");
        ctx.body = toJobView(outcome.job);
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs",
      operationId: "listJobs",
      summary: "The caller's jobs, newest first, a page at a time by cursor, optionally only those in one phase",
      tags: ["jobs"],
      auth: READ,
      query: ListJobsQuery,
      responses: { 200: { description: "A page of jobs", schema: JobListView }, ...problemResponses(400, 401, 403, 429, 503) },
      handler: async (ctx, { query }) => {
        const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
        if (query.cursor !== undefined && !after) throw new HttpError(400, "the cursor is not one this API returned; start again without it", { field: "query.cursor" });
        // Sorted and filtered on what a listing needs; only the page's jobs become views.
        const rows = (await jobs.ownedBy(currentUser(ctx).id)).map((job) => ({ job, ...listingOf(job) })).filter((r) => query.phase === undefined || r.phase === query.phase);
        const page = pageOf(newestFirst(rows), query.limit, after);
        ctx.body = { items: page.items.map((r) => toJobView(r.job)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id",
      operationId: "getJob",
      summary: "One job: phase, progress, outputs",
      tags: ["jobs"],
      auth: READ,
      params: JobIdParams,
      responses: { 200: { description: "The job", schema: JobView }, ...problemResponses(400, 401, 403, 404, 429, 503) },
      handler: async (ctx, { params }) => {
        ctx.body = await ownJobView(currentUser(ctx), params.id);
      },
    }),
    defineRoute({
      method: "post",
      path: "/jobs/:id/cancel",
      operationId: "cancelJob",
      summary: "Cancel a job: its TranscodeJob is deleted, the operator stops the task and keeps the record",
      tags: ["jobs"],
      auth: WRITE,
      params: JobIdParams,
      responses: { 202: { description: "Cancel accepted", schema: JobView }, ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      handler: async (ctx, { params }) => {
        const user = currentUser(ctx);
        const live = await ownJob(user, params.id);
        if (!live) {
          // Only a record is left: the job was already cancelled or deleted (or it is not the caller's: 404).
          const view = await ownJobView(user, params.id);
          throw new HttpError(409, `the job can no longer be cancelled (phase ${view.phase})`, { field: "path.id" });
        }
        if (!(await jobs.delete(params.id))) throw notFound();
        ctx.status = 202;
        ctx.body = { ...toJobView(live), cancelRequested: true };
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id/outputs",
      operationId: "getJobOutputs",
      summary: "A job's outputs: playback links any HLS player can play without a cookie, presigned downloads",
      tags: ["jobs"],
      auth: READ,
      params: JobIdParams,
      responses: { 200: { description: "Playback and download URLs", schema: OutputLinksView }, ...problemResponses(400, 401, 403, 404, 409, 429, 503) },
      handler: async (ctx, { params }) => {
        const user = currentUser(ctx);
        const view = await ownJobView(user, params.id);
        const outputs = view.outputs;
        if (!outputs) throw new HttpError(409, `the job has no outputs yet (phase ${view.phase})`, { field: "path.id" });
        const ttl = config.uploads.downloadTtlSeconds;
        const sign = await storage.getSigner(config.s3.outputsBucket, ttl);
        // Only keys under the job's own prefix by the tenancy rule are signed, whatever its status names.
        const prefix = ownOutputPrefix(config.tenancy, user.id, view.id);
        const link = (key: string | undefined) => (key && isUnderPrefix(key, prefix) ? sign(key) : undefined);
        const play = outputs.masterPlaylist ? playbackLinks(ctx, view.id) : undefined;
        const manifest = link(outputs.manifest);
        const poster = link(outputs.poster);
        ctx.body = {
          expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
          ...(play ? { playbackExpiresAt: play.expiresAt.toISOString(), masterPlaylist: play.master } : {}),
          ...(manifest ? { manifest } : {}),
          ...(poster ? { poster } : {}),
          renditions: outputs.renditions.map((r) => {
            const mp4 = link(r.mp4);
            return { name: r.name, ...(play && r.playlist ? { playlist: play.rendition(r.name) } : {}), ...(mp4 ? { mp4 } : {}) };
          }),
        };
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id/events",
      operationId: "streamJobProgress",
      summary: "Server-Sent Events: a status event, then progress events as the task reports them",
      tags: ["jobs"],
      auth: READ,
      params: JobIdParams,
      responses: {
        200: { description: "text/event-stream of `status` and `progress` events", contentType: "text/event-stream" },
        ...problemResponses(400, 401, 403, 404, 429, 503),
      },
      handler: async (ctx, { params }) => {
        const user = currentUser(ctx);
        await streamProgress(ctx, deps.progress, await ownJobView(user, params.id), { heartbeatMs: config.session.heartbeatMs, alive: credentialCheck(ctx, user) });
      },
    }),
  ];
}

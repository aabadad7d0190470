import { PassThrough } from "node:stream";
import type { Context } from "koa";
import { isFinalPhase } from "../../crds/index.js";
import type { Progress } from "../../lib/task-contract/index.js";
import type { ProgressFeed } from "./progress.js";
import type { JobView } from "./schemas.js";

export interface StreamOptions {
  /** Interval of the keep-alive comments; each first checks the credential. */
  heartbeatMs: number;
  /** Whether the request's session or token is still valid (signed out, expired, revoked: false). */
  alive: () => Promise<boolean>;
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Streams a job's progress as Server-Sent Events: a "status" event with the job now, the latest "progress"
 * from the hash, then every update published by the task. Comments keep proxies from closing an idle
 * stream. Everything is released when the client goes away, or when the credential that opened it ends.
 */
export async function streamProgress(ctx: Context, feed: ProgressFeed, job: JobView, o: StreamOptions): Promise<void> {
  const out = new PassThrough();
  let closed = false;
  const send = (chunk: string) => {
    if (!closed) out.write(chunk);
  };
  let cleanup = () => {};
  const onProgress = (p: Progress) => {
    send(event("progress", p));
    // The task's last word: nothing more will be published, so the stream ends instead of idling.
    if (p.stage === "done") cleanup();
  };
  const unsubscribe = await feed.subscribe(job.uid, onProgress, () => cleanup());
  // Each beat re-checks the credential: a stream ends within one beat of its session ending (sign-out, sign-out
  // everywhere, a lifetime passed) or its token being revoked; a check that cannot be made ends it too.
  const heartbeat = setInterval(() => {
    o.alive().then(
      (ok) => {
        if (ok) return send(": keep-alive\n\n");
        send(event("end", { reason: "credential-ended" }));
        cleanup();
      },
      () => cleanup(),
    );
  }, o.heartbeatMs);
  heartbeat.unref();
  cleanup = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    void unsubscribe();
    out.end();
  };
  ctx.req.on("close", cleanup);
  ctx.req.socket.setTimeout(0);

  ctx.status = 200;
  ctx.type = "text/event-stream";
  ctx.set("Cache-Control", "no-cache, no-transform");
  ctx.set("X-Accel-Buffering", "no");
  ctx.body = out;

  send("retry: 3000\n\n");
  send(event("status", { id: job.id, phase: job.phase, progress: job.progress }));
  // A finished job will publish nothing more.
  if (isFinalPhase(job.phase)) {
    cleanup();
    return;
  }
  // Read after subscribing, so an update between the two is not lost (at worst it is sent twice).
  const latest = await feed.current(job.uid).catch(() => undefined);
  if (latest) onProgress(latest);
}

import type { Context } from "koa";
import { z } from "zod";
import { isUnderPrefix, Outputs } from "../../crds/index.js";
import { HttpError } from "../../lib/errors/index.js";
import type { ApiConfig } from "../config.js";
import type { ApiDeps } from "../deps.js";
import { problemResponses } from "../http/responses.js";
import { defineRoute, type AnyRoute } from "../http/route.js";
import { JobIdParams } from "../jobs/schemas.js";
import { ownerOf, ownOutputPrefix } from "../jobs/view.js";
import { resolveKey, rewriteUris } from "./playlist.js";
import type { PlaybackGrant } from "./token.js";

/** The largest playlist read from S3: a 10-hour video in 2 s segments is about 0.6 MB. */
const MAX_PLAYLIST_BYTES = 8 * 1024 * 1024;
const HLS = "application/vnd.apple.mpegurl";

export const RenditionParams = JobIdParams.extend({
  rendition: z.string().max(64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "is not a rendition name"),
});

/** What the playback routes use: job reads (cache, then the record), S3 for playlists and signed segment URLs. */
export type PlaybackRouteDeps = Pick<ApiDeps, "jobs" | "history" | "storage"> & { config: Pick<ApiConfig, "s3" | "tenancy"> };

interface Playable {
  outputs: Outputs;
  /** The job's output prefix: every key a playlist names must lie under it. */
  prefix: string;
}

/**
 * HLS playback of a job's outputs through its playback link, for any standard player and a private outputs bucket:
 * the API serves the master and media playlists with every URI rewritten. Variant playlists point back here with the
 * same token; segments and init segments are presigned GETs straight from S3 that expire with the link, so media
 * bytes never pass through the API. The link authenticates (checked by the routing layer), not a cookie.
 */
export function playbackRoutes(deps: PlaybackRouteDeps): AnyRoute[] {
  const bucket = deps.config.s3.outputsBucket;

  async function playable(ctx: Context): Promise<Playable> {
    const grant = ctx.state.playback as PlaybackGrant;
    // The live job, else its record (a deleted job's outputs stay in S3 and stay playable until the link expires).
    const live = await deps.jobs.get(grant.job);
    const record = live ? undefined : await deps.history.find(grant.job);
    if (!live && !record) throw new HttpError(404, "no such job", { field: "path.id" });
    const outputs = Outputs.safeParse(live ? live.status?.outputs : record?.outputs);
    const owner = live ? ownerOf(live) : (record?.owner ?? undefined);
    if (!outputs.success || !outputs.data.masterPlaylist || owner === undefined) {
      throw new HttpError(409, "the job has no HLS outputs (yet)", { field: "path.id" });
    }
    // The job's own prefix by the tenancy rule, not whatever its spec or status say: nothing else is read or signed.
    const prefix = ownOutputPrefix(deps.config.tenancy, owner, grant.job);
    const keys = [outputs.data.masterPlaylist, ...outputs.data.renditions.flatMap((r) => (r.playlist ? [r.playlist] : []))];
    const stray = keys.find((k) => !isUnderPrefix(k, prefix));
    if (stray !== undefined) throw new HttpError(409, "the job's outputs lie outside its own prefix; nothing is signed", { field: "path.id" });
    return { outputs: outputs.data, prefix };
  }

  async function read(key: string): Promise<string> {
    const text = await deps.storage.readText(bucket, key, MAX_PLAYLIST_BYTES);
    if (text === undefined) throw new HttpError(404, "the playlist is missing from the outputs", { field: "path.id" });
    return text;
  }

  function send(ctx: Context, playlist: string): void {
    ctx.type = HLS;
    // The signatures inside expire with the link: nothing downstream may keep a copy.
    ctx.set("Cache-Control", "no-store");
    ctx.body = playlist;
  }

  /**
   * A URI the transcoder did not write (absolute, outside the job's prefix, unknown): our outputs are wrong, not the
   * request. A 500: the message goes to the log under the request id, never to the client.
   */
  function foreign(what: string, uri: string): never {
    throw new Error(`a playlist names ${what}, which the API will not sign: ${JSON.stringify(uri.slice(0, 300))}`);
  }

  return [
    defineRoute({
      method: "get",
      path: "/jobs/:id/playback/master.m3u8",
      operationId: "getPlaybackMaster",
      summary: "The job's HLS master playlist, each variant pointing to its media playlist here (same link token)",
      tags: ["playback"],
      auth: "link",
      params: JobIdParams,
      responses: {
        200: { description: "HLS master playlist", contentType: HLS },
        ...problemResponses(400, 401, 404, 409, 503),
      },
      handler: async (ctx) => {
        const { outputs, prefix } = await playable(ctx);
        const master = outputs.masterPlaylist!;
        const byKey = new Map(outputs.renditions.filter((r) => r.playlist).map((r) => [r.playlist!, r.name]));
        const token = encodeURIComponent(String(ctx.query.token));
        send(
          ctx,
          rewriteUris(await read(master), (uri) => {
            const name = byKey.get(resolveKey(master, uri, prefix) ?? "");
            return name === undefined ? foreign("a playlist that is not one of the job's renditions", uri) : `${encodeURIComponent(name)}/index.m3u8?token=${token}`;
          }),
        );
      },
    }),
    defineRoute({
      method: "get",
      path: "/jobs/:id/playback/:rendition/index.m3u8",
      operationId: "getPlaybackMedia",
      summary: "One rendition's HLS media playlist; its init segment and segments are presigned S3 URLs expiring with the link",
      tags: ["playback"],
      auth: "link",
      params: RenditionParams,
      responses: {
        200: { description: "HLS media playlist", contentType: HLS },
        ...problemResponses(400, 401, 404, 409, 503),
      },
      handler: async (ctx, { params }) => {
        const { outputs, prefix } = await playable(ctx);
        const key = outputs.renditions.find((r) => r.name === params.rendition)?.playlist;
        if (!key) throw new HttpError(404, "the job has no such HLS rendition", { field: "path.rendition" });
        const grant = ctx.state.playback as PlaybackGrant;
        const ttl = Math.max(1, Math.floor((grant.expiresAt.getTime() - Date.now()) / 1000));
        const [text, sign] = await Promise.all([read(key), deps.storage.getSigner(bucket, ttl)]);
        send(
          ctx,
          rewriteUris(text, (uri) => {
            const segment = resolveKey(key, uri, prefix);
            return segment === undefined ? foreign("a segment outside the job's outputs", uri) : sign(segment);
          }),
        );
      },
    }),
  ];
}

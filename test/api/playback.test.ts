/**
 * Playback links on real outputs: a real transcode (the transcoder task as a process, ffmpeg) of an upload the API
 * presigned, into the API's private outputs bucket (MinIO, no anonymous read); the operator's part (the status)
 * written through the status subresource. From the JSON of GET /jobs/{id}/outputs, with no cookie: ffprobe and ffmpeg
 * read the master playlist URL directly (variants through the API, segments straight from S3), an audio upload plays
 * as audio, refusals are problems, and the link and the segment URLs in it stop working when it expires.
 * test/e2e plays such a link in hls.js (Chromium) through the whole control plane.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import * as k8s from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../crds/index.js";
import { EXIT_OK } from "../../lib/task-contract/index.js";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";
import { createHarness as createTranscoder, runAttempt, type Harness as Transcoder } from "../transcoder/harness.js";
import { ffmpegGenerate, makeClip } from "../transcoder/media.js";
import { assertProblem, postForm, startHarness, type ApiClient, type Harness, type Reply } from "./harness.js";

const run = promisify(execFile);
const TTL_SECONDS = 30;

interface Links {
  masterPlaylist: string;
  playbackExpiresAt: string;
  renditions: { name: string; playlist?: string; mp4?: string }[];
}

/** A request with no cookie and no credentials but the link's own. */
async function anonymous(url: string): Promise<Reply> {
  const res = await fetch(url);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // a playlist
  }
  return { status: res.status, headers: res.headers, body, text };
}

const uris = (playlist: string) => playlist.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));

describe("api: playback links on a real transcode, with no cookie (ffmpeg, ffprobe)", function () {
  this.timeout(240_000);
  let h: Harness;
  let tx: Transcoder;
  let c: ApiClient;
  let dir: string;
  let video: { id: string; links: Links; issuedAt: number };
  let env: ReturnType<typeof testEnv>;

  before(async () => {
    env = testEnv();
    h = await startHarness((config) => {
      config.playback.ttlSeconds = TTL_SECONDS;
      config.uploads.maxBytes = 32 * 1024 * 1024;
    });
    tx = await createTranscoder("apiplay");
    c = h.client();
    await c.signupAndLogin();
    dir = mkdtempSync(join(env.tmpDir, "api-play-"));
    const file = join(dir, "Holiday clip.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 640, height: 360, seconds: 4 });
    const id = await transcode(file, "video/mp4", {
      ladder: { renditions: [{ height: 240 }, { height: 360 }] },
      formats: ["hls"],
      thumbnails: false,
      encoding: { segmentSeconds: 2, x264Preset: "veryfast" },
    });
    const links = await c.call("GET", `/jobs/${id}/outputs`);
    assert.equal(links.status, 200, links.text);
    video = { id, links: links.body as unknown as Links, issuedAt: Date.now() };
  });
  after(async () => {
    await tx?.close();
    await h?.close();
  });

  /** Upload through the API's presigned POST, a job, the real task into the API's buckets, then the operator's status write. */
  async function transcode(file: string, contentType: string, options: Record<string, unknown>): Promise<string> {
    const name = file.split("/").pop()!.replace(/ /g, "-");
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: name, contentType } });
    assert.equal(p.status, 201, p.text);
    const form = p.body as { key: string; url: string; fields: Record<string, string> };
    assert.equal((await postForm(form, readFileSync(file))).status, 204);
    const created = await c.call("POST", "/jobs", { json: { source: { key: form.key }, ...options } });
    assert.equal(created.status, 201, created.text);
    const id = String(created.body.id);
    const spec = created.body.spec as { output: { prefix: string } };
    const out = await runAttempt(tx, form.key, options, { inBucket: h.config.s3.uploadsBucket, outBucket: h.config.s3.outputsBucket, prefix: spec.output.prefix });
    assert.equal(out.exitCode, EXIT_OK, `exit ${out.exitCode}: ${JSON.stringify(out.result)}\n${out.log.slice(-2000)}`);
    await setStatus(id, { phase: "Succeeded", attempts: 1, outputs: out.result!.outputs });
    return id;
  }

  async function setStatus(id: string, status: Record<string, unknown>): Promise<void> {
    await h.objects.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: h.namespace, plural: PLURAL, name: id, body: { status } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await waitFor(async () => (await c.call("GET", `/jobs/${id}`)).body.phase === status.phase, 10_000, "the status in the API's cache");
  }

  it("the master playlist from the outputs JSON: variants through the API with the link's token, segments presigned straight from S3", async () => {
    const master = await anonymous(video.links.masterPlaylist);
    assert.equal(master.status, 200, master.text);
    assert.equal(master.headers.get("content-type"), "application/vnd.apple.mpegurl");
    assert.equal(master.headers.get("access-control-allow-origin"), "*", "players fetch cross-origin");
    assert.equal(master.headers.get("cache-control"), "no-store");
    const token = new URL(video.links.masterPlaylist).searchParams.get("token")!;
    assert.deepEqual(uris(master.text), ["240p", "360p"].map((n) => `${n}/index.m3u8?token=${encodeURIComponent(token)}`));
    assert.match(master.text, /#EXT-X-STREAM-INF:BANDWIDTH=\d+/);
    for (const r of video.links.renditions) {
      assert.equal(new URL(r.playlist!, video.links.masterPlaylist).href, new URL(`${r.name}/index.m3u8?token=${encodeURIComponent(token)}`, video.links.masterPlaylist).href);
      const media = await anonymous(r.playlist!);
      assert.equal(media.status, 200, media.text);
      const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(media.text)?.[1];
      const signed = [map!, ...uris(media.text)];
      assert.ok(signed.length >= 3, media.text);
      for (const u of signed) {
        const url = new URL(u);
        assert.equal(url.origin, new URL(env.s3.endpoint).origin, "media bytes never pass through the API");
        assert.ok(url.searchParams.get("X-Amz-Signature"), u);
        assert.ok(Math.abs(Number(url.searchParams.get("X-Amz-Expires")) - TTL_SECONDS) <= 5, "segment URLs expire with the link");
      }
      const segment = await fetch(signed[1]!);
      assert.equal(segment.status, 200);
      assert.ok((await segment.arrayBuffer()).byteLength > 0);
    }
    // The bucket is private: the same segment without the signature is refused by S3 itself.
    const media = await anonymous(video.links.renditions[0]!.playlist!);
    const bare = new URL(uris(media.text)[0]!);
    bare.search = "";
    assert.equal((await fetch(bare)).status, 403);
  });

  it("ffprobe and ffmpeg read the URL directly: both rungs are there and every frame decodes", async () => {
    const url = video.links.masterPlaylist;
    const { stdout } = await run(env.tools.ffprobe, ["-v", "error", "-show_entries", "stream=codec_type,width,height", "-of", "json", url]);
    const streams = (JSON.parse(stdout) as { streams: { codec_type: string; height?: number }[] }).streams;
    assert.deepEqual(streams.filter((s) => s.codec_type === "video").map((s) => s.height).sort(), [240, 360]);
    assert.ok(streams.some((s) => s.codec_type === "audio"));
    const decoded = await run(env.tools.ffmpeg, ["-hide_banner", "-v", "error", "-i", url, "-map", "0", "-f", "null", "-"]);
    assert.equal(decoded.stderr.trim(), "", "no decoding error");
    const { stdout: frames } = await run(env.tools.ffprobe, ["-v", "error", "-select_streams", "v", "-count_frames", "-show_entries", "stream=height,nb_read_frames", "-of", "json", url]);
    // The HLS demuxer lists each variant's streams under its program too: the top-level list has each stream once.
    const counted = (JSON.parse(frames) as { streams: { height: number; nb_read_frames: string }[] }).streams;
    assert.deepEqual(counted.map((s) => s.height).sort(), [240, 360]);
    for (const s of counted) assert.ok(Number(s.nb_read_frames) >= 95 && Number(s.nb_read_frames) <= 101, `4 s at 25 fps in each rung: ${frames}`);
  });

  it("an audio upload (audio/mp4) becomes an audio-only ladder that plays from its link", async () => {
    const file = join(dir, "voice-note.m4a");
    await ffmpegGenerate(env.tools.ffmpeg, ["-f", "lavfi", "-i", "sine=frequency=300:duration=3", "-c:a", "aac", "-b:a", "96k", file]);
    const id = await transcode(file, "audio/mp4", { formats: ["hls"], encoding: { segmentSeconds: 2 } });
    assert.match(id, /^voice-note-[0-9a-f]{16}$/);
    const links = (await c.call("GET", `/jobs/${id}/outputs`)).body as unknown as Links;
    const { stdout } = await run(env.tools.ffprobe, ["-v", "error", "-show_entries", "stream=codec_type,codec_name", "-of", "json", links.masterPlaylist]);
    const streams = (JSON.parse(stdout) as { streams: { codec_type: string; codec_name: string }[] }).streams;
    assert.ok(streams.length >= 1 && streams.every((s) => s.codec_type === "audio" && s.codec_name === "aac"), stdout);
    await run(env.tools.ffmpeg, ["-hide_banner", "-v", "error", "-i", links.masterPlaylist, "-map", "0", "-f", "null", "-"]);
  });

  it("refused without the right token (401 problem+json, CORS kept); another user gets no link", async () => {
    const master = new URL(video.links.masterPlaylist);
    const token = master.searchParams.get("token")!;
    const bare = `${master.origin}${master.pathname}`;
    for (const [url, detail] of [
      [bare, /needs its token/],
      [`${bare}?token=`, /needs its token/],
      [`${bare}?token=${token.slice(0, -2)}xx`, /not valid/],
      [`${bare}?token=junk`, /not valid/],
      [`${master.origin}/jobs/another-job/playback/master.m3u8?token=${token}`, /not valid/],
      [`${master.origin}/jobs/${video.id}/playback/360p/index.m3u8?token=${token.replace(/^[0-9a-z]+/, (e) => (Number.parseInt(e, 36) + 60).toString(36))}`, /not valid/],
    ] as const) {
      const r = await anonymous(url);
      assertProblem(r, 401, "query.token");
      assert.match(String(r.body.detail), detail, url);
      assert.equal(r.headers.get("access-control-allow-origin"), "*");
    }
    assertProblem(await anonymous(`${master.origin}/jobs/${video.id}/playback/1080p/index.m3u8?token=${token}`), 404, "path.rendition");
    const b = h.client();
    await b.signupAndLogin();
    assertProblem(await b.call("GET", `/jobs/${video.id}/outputs`), 404, "path.id");
  });

  it("a playlist naming anything outside the job's own outputs is never signed: a 500 that says nothing", async () => {
    const file = join(dir, "odd.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 320, height: 180, seconds: 1 });
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: "odd.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, readFileSync(file));
    const created = await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    const id = String(created.body.id);
    const prefix = (created.body.spec as { output: { prefix: string } }).output.prefix;
    const put = (key: string, body: string) => h.s3.send(new PutObjectCommand({ Bucket: h.config.s3.outputsBucket, Key: `${prefix}${key}`, Body: body }));
    await put("master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nr/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\n../../other/x.m3u8\n");
    await put("r/index.m3u8", `#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\n../../../${video.id}/240p/seg_00000.m4s\n#EXT-X-ENDLIST\n`);
    await setStatus(id, {
      phase: "Succeeded",
      attempts: 1,
      outputs: { masterPlaylist: `${prefix}master.m3u8`, renditions: [{ name: "r", width: 2, height: 2, videoBitrateKbps: 1, bandwidth: 1, codecs: "x", sizeBytes: 1, playlist: `${prefix}r/index.m3u8` }] },
    });
    const links = (await c.call("GET", `/jobs/${id}/outputs`)).body as unknown as Links;
    for (const url of [links.masterPlaylist, links.renditions[0]!.playlist!]) {
      const r = await anonymous(url);
      assertProblem(r, 500);
      assert.doesNotMatch(r.text, /other|seg_00000|\.\.\//, "the URI is logged, not shown");
    }
  });

  it("a status naming keys outside the job's own prefix (another job's outputs) gets no URL signed", async () => {
    const file = join(dir, "forged.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 320, height: 180, seconds: 1 });
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: "forged.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, readFileSync(file));
    const created = await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    const id = String(created.body.id);
    // The real job's outputs, named in this job's status (as a forged or buggy task result would).
    const theirs = (await c.call("GET", `/jobs/${video.id}`)).body as { outputs: { masterPlaylist: string; manifest?: string; poster?: string; renditions: Record<string, unknown>[] } };
    await setStatus(id, { phase: "Succeeded", attempts: 1, outputs: theirs.outputs });
    const links = await c.call("GET", `/jobs/${id}/outputs`);
    assert.equal(links.status, 200, links.text);
    const body = links.body as unknown as Links & { manifest?: string; poster?: string; renditions: { mp4?: string }[] };
    assert.equal(body.manifest, undefined, "no manifest URL");
    assert.equal(body.poster, undefined, "no poster URL");
    assert.ok(body.renditions.every((r) => r.mp4 === undefined), "no MP4 URL");
    const master = await anonymous(body.masterPlaylist);
    assertProblem(master, 409, "path.id");
    assert.doesNotMatch(master.text, new RegExp(video.id), "the other job's keys are not shown");
  });

  it("the link and the segment URLs inside it stop working when it expires", async () => {
    const media = await anonymous(video.links.renditions[0]!.playlist!);
    const segment = uris(media.text)[0]!;
    assert.equal((await fetch(segment)).status, 200);
    const expiresAt = Date.parse(video.links.playbackExpiresAt);
    assert.ok(Math.abs(expiresAt - (video.issuedAt + TTL_SECONDS * 1000)) < 5_000, video.links.playbackExpiresAt);
    await sleep(Math.max(0, expiresAt - Date.now()) + 1500);
    for (const url of [video.links.masterPlaylist, video.links.renditions[1]!.playlist!]) {
      const r = await anonymous(url);
      assertProblem(r, 401, "query.token");
      assert.equal(r.body.type, "link-expired");
      assert.match(String(r.body.detail), /expired at .*GET \/jobs\/\{id\}\/outputs gives a new one/);
    }
    const s3 = await fetch(segment);
    assert.equal(s3.status, 403, "S3 refuses the expired presigned segment URL");
    assert.match(await s3.text(), /expired/i);
    // A new link from the outputs plays again.
    const fresh = (await c.call("GET", `/jobs/${video.id}/outputs`)).body as unknown as Links;
    assert.equal((await anonymous(fresh.masterPlaylist)).status, 200);
  });
});

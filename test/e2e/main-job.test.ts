/**
 * The main job end to end, through the same processes `npm start` runs: REST signup/login, presigned POST
 * uploads to MinIO, MinIO's webhook -> lambda handler -> Redis stream -> bridge -> TranscodeJob -> operator
 * (five-slot admission, local launcher) -> transcoder (ffmpeg) -> outputs in S3 -> status in kube and MongoDB ->
 * playback links that ffmpeg and hls.js (Chromium) play with no cookie. Then a program with an API token only does
 * it all again: upload, the upload's job, a re-encode, progress, outputs, playback.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { REDIS_COMPONENTS } from "../../lib/redis-acl/index.js";
import { startControlPlane, s3Client, type ControlPlane } from "../../stack/index.js";
import { ApiClient, type JobView } from "../../scripts/local/client.js";
import { makeSamples, runDemo, SAMPLES, type DemoResult } from "../../scripts/local/demo.js";
import { waitFor } from "../support/wait.js";
import { makeClip } from "../transcoder/media.js";
import { findChromium, openPlayer } from "../transcoder/player/browser.js";
import { playEveryLevel } from "../transcoder/player/levels.js";
import { startPageServer } from "../transcoder/player/server.js";
import { testEnv, type TestEnv } from "../env/index.js";
import { freePort, registerExitCleanup } from "../../stack/process.js";
import { StartContext } from "../../stack/services/context.js";
import { startMinio } from "../../stack/services/minio.js";

const run = promisify(execFile);

describe("e2e: upload to HLS ladder through the whole control plane", function () {
  this.timeout(600_000);
  let ctx: StartContext;
  let unregister: () => void;
  let plane: ControlPlane;
  let env: TestEnv;
  let result: DemoResult;
  let dir: string;
  let startedAt: number;
  const sink = Object.assign(new (class {
    text = "";
    write(s: string) {
      this.text += s;
      return true;
    }
  })(), { isTTY: false }) as unknown as NodeJS.WriteStream & { text: string };

  before(async () => {
    startedAt = Date.now();
    const base = testEnv();
    const id = randomBytes(3).toString("hex");
    dir = join(base.tmpDir, `e2e-${id}`);
    mkdirSync(dir, { recursive: true });
    ctx = new StartContext(dir, join(dir, "logs"));
    unregister = registerExitCleanup(() => ctx.processes.forEach((p) => p.killNow()));
    // A MinIO of its own: its webhook target must point at this plane's receiver from the start.
    const receiverPort = await freePort();
    const s3 = await startMinio(ctx, { notifyWebhook: `http://127.0.0.1:${receiverPort}/` });
    env = { ...base, s3 };
    plane = await startControlPlane({
      env,
      runDir: dir,
      logDir: join(dir, "logs"),
      receiverPort,
      namespace: `e2e-${id}`,
      database: `e2e_${id}`,
      // info, not warn: the log-grep below must see what the processes say about every job.
      logLevel: "info",
    });
    const files = await makeSamples(dir, 2);
    result = await runDemo(plane.apiUrl, files, { out: sink, timeoutMs: 480_000 });
  });

  after(async () => {
    await plane?.stop();
    await Promise.allSettled(ctx?.processes.map((p) => p.stop()) ?? []);
    unregister?.();
  });

  it("every uploaded file becomes exactly one job that Succeeds", () => {
    assert.equal(result.jobs.length, SAMPLES.length, sink.text);
    for (const job of result.jobs) assert.equal(job.phase, "Succeeded", `${job.id}: ${job.reason ?? ""} ${job.message ?? ""}\n${sink.text}`);
    assert.match(sink.text, /100%\s+Succeeded/);
  });

  it("kubectl get tj: readable names and the file's name; -o wide gives a finished job its duration", async () => {
    const kubectl = (...args: string[]) => run(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfigPath, "get", "tj", "-n", plane.namespace, ...args]);
    const { stdout } = await kubectl();
    const [header, ...rows] = stdout.trim().split("\n");
    assert.match(header!, /^NAME\s+PHASE\s+PROGRESS\s+ATTEMPTS\s+REASON\s+POSITION\s+ADMISSION\s+FILE\s+AGE$/);
    assert.equal(rows.length, SAMPLES.length, stdout);
    for (const s of SAMPLES) {
      const slug = s.name.replace(/\.[a-z0-9]+$/, "");
      assert.ok(
        rows.some((r) => new RegExp(`^${slug}-[0-9a-f]{16}\\s+Succeeded\\s+100\\s+1\\s+(?:.*\\s)?${s.name.replace(/\./g, "\\.")}\\s`).test(r)),
        `${s.name}: a row named after the file, showing it:\n${stdout}`,
      );
    }
    const wide = await kubectl("-o", "wide");
    const [wideHeader, ...wideRows] = wide.stdout.trim().split("\n");
    const columns = [...wideHeader!.matchAll(/\S+/g)];
    assert.deepEqual(columns.map((m) => m[0]), ["NAME", "PHASE", "PROGRESS", "ATTEMPTS", "REASON", "POSITION", "ADMISSION", "FILE", "AGE", "STARTED", "DURATION", "TASK"]);
    const at = columns.find((m) => m[0] === "DURATION")!.index;
    for (const r of wideRows) assert.match(r.slice(at), /^\d+(m\d*)?s?\s/, `a finished job's DURATION: ${r}`);
  });

  it("MongoDB keeps one record per job with its phase history", async () => {
    const mongo = await MongoClient.connect(env.mongo.url);
    try {
      const records = await mongo.db(plane.database).collection("jobs").find({}).toArray();
      assert.equal(records.length, SAMPLES.length);
      for (const r of records) {
        assert.equal(r.phase, "Succeeded");
        const phases = (r.phaseHistory as { phase: string }[]).map((h) => h.phase);
        assert.deepEqual(phases.slice(-2), ["Running", "Succeeded"], phases.join(" -> "));
        assert.ok(result.jobs.some((j) => j.uid === String(r._id)), "record keyed by the job uid");
      }
    } finally {
      await mongo.close();
    }
  });

  it("the outputs in S3 form a playable HLS ladder that never upscales", async () => {
    const s3 = s3Client(env);
    try {
      for (const job of result.jobs) {
        const master = job.outputs?.masterPlaylist;
        assert.ok(master, `${job.id} has a master playlist`);
        const prefix = master.slice(0, master.lastIndexOf("/") + 1);
        const local = join(env.tmpDir, `e2e-out-${job.id}`);
        const listed = await s3.send(new ListObjectsV2Command({ Bucket: plane.outputsBucket, Prefix: prefix }));
        for (const obj of listed.Contents ?? []) {
          const body = await s3.send(new GetObjectCommand({ Bucket: plane.outputsBucket, Key: obj.Key! }));
          const file = join(local, obj.Key!.slice(prefix.length));
          mkdirSync(dirname(file), { recursive: true });
          writeFileSync(file, await body.Body!.transformToByteArray());
        }
        const { stdout } = await run(env.tools.ffprobe, ["-v", "error", "-show_entries", "stream=codec_type,width,height", "-of", "json", join(local, "master.m3u8")]);
        const streams = (JSON.parse(stdout) as { streams: { codec_type: string; height?: number; width?: number }[] }).streams;
        if (job.filename.endsWith(".m4a")) {
          assert.ok(streams.length >= 1 && streams.every((s) => s.codec_type === "audio"), `${job.id}: an audio-only ladder for an audio upload`);
          continue;
        }
        const heights = streams.filter((s) => s.codec_type === "video").map((s) => Math.min(s.height!, s.width!));
        assert.ok(heights.length >= 1, `${job.id}: video renditions in the master playlist`);
        const sourceShortSide = job.source.key.includes("tiny") ? 240 : 720;
        assert.ok(Math.max(...heights) <= sourceShortSide, `${job.id}: no rung above the source (${heights.join(",")})`);
        if (job.source.key.includes("silent")) assert.ok(!streams.some((s) => s.codec_type === "audio"), "no audio track for a silent source");
        else assert.ok(streams.some((s) => s.codec_type === "audio"), "audio for a source with audio");
      }
    } finally {
      s3.destroy();
    }
  });

  it("the demo's playback links play with no cookie: ffmpeg decodes each one", async () => {
    for (const job of result.jobs) {
      const links = await result.client.outputs(job.id);
      assert.ok(links.masterPlaylist, job.id);
      const { stderr } = await run(env.tools.ffmpeg, ["-hide_banner", "-v", "error", "-i", links.masterPlaylist, "-map", "0", "-f", "null", "-"]);
      assert.equal(stderr.trim(), "", `${job.id} decodes without an error`);
    }
  });

  it("a program with an API token only: upload, the upload's job, a re-encode of it, progress, outputs; hls.js plays every rung and ffmpeg decodes; a revoked or expired token gets 401", async () => {
    findChromium();
    const session = result.client;
    const { id: tokenId, token } = await session.createToken("e2e program", ["jobs:read", "jobs:write"]);
    const app = ApiClient.withToken(plane.apiUrl, token);
    const as = (path: string, init: RequestInit = {}) =>
      fetch(`${plane.apiUrl}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...init.headers } });

    const file = join(dir, "ride-along.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 640, height: 360, seconds: 10 });
    const key = await app.upload(file);
    // The S3 event makes the upload's job (lambda handler, stream, bridge).
    let first: JobView | undefined;
    await waitFor(async () => (first = (await app.listJobs()).find((j) => j.source.key === key)) !== undefined, 60_000, "the upload's job");
    assert.match(first!.id, /^ride-along-[0-9a-f]{16}$/);
    const same = await as("/jobs", { method: "POST", body: JSON.stringify({ source: { key } }) });
    assert.equal(same.status, 200, "the upload already has its job");
    assert.equal(same.headers.get("location"), `/jobs/${first!.id}`);
    const ladder = { renditions: [{ height: 180 }, { height: 270 }, { height: 360 }] };
    const reencode = await as("/jobs", {
      method: "POST",
      body: JSON.stringify({ source: { key }, ladder, formats: ["hls"], thumbnails: false, encoding: { segmentSeconds: 2, x264Preset: "veryfast" } }),
    });
    assert.equal(reencode.status, 201, await reencode.clone().text());
    const job = (await reencode.json()) as JobView;
    assert.equal(job.reencodes, first!.id, "the new job says which job it re-encodes");

    // Progress as Server-Sent Events, with the token.
    const events = await as(`/jobs/${job.id}/events`);
    assert.equal(events.status, 200);
    let text = "";
    const decoder = new TextDecoder();
    for await (const chunk of events.body!) {
      text += decoder.decode(chunk as Uint8Array, { stream: true });
      if (/"stage":"done"/.test(text)) break;
    }
    const progress = [...text.matchAll(/^event: progress\ndata: (.+)$/gm)].map((m) => JSON.parse(m[1]!) as { percent: number; stage: string });
    assert.ok(progress.length >= 1 && progress.at(-1)?.stage === "done", text.slice(0, 2000));
    await waitFor(async () => (await app.getJob(job.id)).phase === "Succeeded", 120_000, "the re-encode Succeeds");

    const links = await app.outputs(job.id);
    assert.ok(links.masterPlaylist);
    assert.deepEqual(links.renditions.map((r) => r.name), ["180p", "270p", "360p"]);
    const server = await startPageServer();
    const player = await openPlayer(server.url);
    try {
      const support = await player.support();
      assert.ok(support.hls && support.h264aac, JSON.stringify(support));
      const levels = await player.start(links.masterPlaylist);
      assert.deepEqual(levels.map((l) => l.height), [180, 270, 360]);
      await player.play();
      const { seen } = await playEveryLevel(player, levels, support);
      console.log(`      played from the API's link, no cookie: ${seen.join("; ")}`);
    } finally {
      await player.close();
      await server.close();
    }
    const { stderr } = await run(env.tools.ffmpeg, ["-hide_banner", "-v", "error", "-i", links.masterPlaylist, "-f", "null", "-"]);
    assert.equal(stderr.trim(), "");

    const refused = async (why: RegExp) => {
      const r = await as("/jobs");
      assert.equal(r.status, 401);
      assert.match(r.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.match(((await r.json()) as { detail: string }).detail, why);
    };
    await session.call("DELETE", `/auth/tokens/${tokenId}`, undefined, [204]);
    await refused(/revoked/);
    const expiring = await session.createToken("e2e expiring", ["jobs:read"], 1);
    const mongo = await MongoClient.connect(env.mongo.url);
    try {
      await mongo.db(plane.database).collection<{ _id: string }>("api_tokens").updateOne({ _id: expiring.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    } finally {
      await mongo.close();
    }
    const expired = await fetch(`${plane.apiUrl}/jobs`, { headers: { authorization: `Bearer ${expiring.token}` } });
    assert.equal(expired.status, 401);
    assert.match(((await expired.json()) as { detail: string }).detail, /expired/);
  });

  it("no credential in any log of the run: every file the processes and tasks wrote, grepped for every password", () => {
    // Every Redis user's password (the admin's and each component's), and the S3 secret every process holds.
    const redisUrls = [env.redis.url, ...Object.values(env.redis.clients)];
    const secrets = [...redisUrls.map((u) => decodeURIComponent(new URL(u).password)), env.s3.secretAccessKey];
    assert.equal(new Set(secrets).size, 7, "seven distinct credentials");
    assert.ok(secrets.every((p) => p.length >= 32));
    const files = readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && !f.parentPath.includes(`${dir}/minio`))
      .map((f) => join(f.parentPath, f.name));
    const logs = files.filter((f) => f.endsWith(".log"));
    // The logs are really there and say things about these jobs: the processes' own, and each task's.
    for (const service of ["upload-webhook", "bridge", "operator", "api"]) assert.ok(logs.some((f) => f.endsWith(`/${service}.log`)), `${service}.log`);
    const taskLogs = logs.filter((f) => f.includes("/local-tasks/"));
    assert.ok(taskLogs.length >= 3, `one log per task (${taskLogs.length})`);
    const allTaskText = taskLogs.map((f) => readFileSync(f, "utf8")).join("");
    for (const job of result.jobs) assert.ok(allTaskText.includes(job.uid), `a task log names job ${job.uid}`);
    const found = files.flatMap((f) => {
      const text = readFileSync(f, "latin1");
      return secrets.flatMap((secret, i) => (text.includes(secret) ? [`${f}: credential #${i}`] : []));
    });
    assert.deepEqual(found, [], "credentials found");
    assert.equal(secrets.some((p) => sink.text.includes(p)), false, "nor in what the demo printed");
  });

  it("no component was refused anything it tried while the jobs ran: Redis's ACL LOG has no entry of theirs", async () => {
    const admin = new Redis(env.redis.url);
    const task = new Redis(env.redis.clients.task);
    try {
      // A refusal of our own first, so that the check below is known to see one: a command no component sends.
      await assert.rejects(task.lpush("tj:e2e-acl-control", "x"), /NOPERM/);
      // Redis 7.0's entries: flat [field, value, ...] arrays with username, reason, object and age-seconds.
      const entries = ((await admin.call("ACL", "LOG", "128")) as unknown[][]).map((e) => Object.fromEntries(e.flatMap((v, i, a) => (i % 2 ? [] : [[String(v), a[i + 1]]]))));
      const during = entries.filter((e) => Number(e["age-seconds"]) <= (Date.now() - startedAt) / 1000 + 1);
      const ours = during.filter((e) => (REDIS_COMPONENTS as readonly string[]).includes(String(e.username)));
      const control = (e: (typeof ours)[number]) => e.username === "task" && e.object === "lpush";
      assert.ok(ours.some(control), "the control refusal is in the log");
      assert.deepEqual(ours.filter((e) => !control(e)).map((e) => `${String(e.username)}: ${String(e.reason)} ${String(e.object)}`), []);
    } finally {
      admin.disconnect();
      task.disconnect();
    }
  });
});

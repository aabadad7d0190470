/**
 * The transcoder image run for real (podman, runc) with the task contract's environment, against MinIO and Redis
 * on the host network: read-only root filesystem, a tmpfs at /tmp as the only scratch space, no capabilities,
 * the image's unprivileged user. The outputs are checked the way test/transcoder/ checks the process's.
 */
import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { testEnv } from "../env/index.js";
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RETRYABLE, parseProgress, parseTaskResult, progressKey, resultKey, type TaskResult, type TaskSpecInput } from "../../lib/task-contract/index.js";
import type { Manifest } from "../../images/transcoder/src/task/index.js";
import { NODE_VERSION } from "../../scripts/images/debian.js";
import { createHarness, listKeys, putFile, taskEnv, type Harness } from "../transcoder/harness.js";
import { ffprobeJson, makeClip } from "../transcoder/media.js";
import { downloadPrefix, keyframeTimes, parseMaster } from "../transcoder/outputs.js";
import { images, inspectImage, runContainer, runToEnd, type Container } from "./podman.js";

describe("transcoder image (podman run, read-only root, tmpfs scratch, non-root)", function () {
  // A cold build (the Debian rootfs) takes minutes; the transcodes themselves a few seconds each.
  this.timeout(900_000);
  let image: string;
  let h: Harness;
  let dir: string;

  before(async () => {
    image = (await images()).images.transcoder.ref;
    h = await createHarness("img");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-img-"));
  });
  after(async () => h?.close());

  /** The contract's env as a launcher builds it, plus S3 credentials (ECS: the task role) and the image's /tmp scratch. */
  function containerEnv(uid: string, key: string, spec: TaskSpecInput): Record<string, string> {
    const env = taskEnv(h, uid, key, spec);
    // The harness points TJ_WORK_DIR at a host directory; in the image the scratch is its own /tmp (the default).
    delete env.TJ_WORK_DIR;
    return { ...env, AWS_ACCESS_KEY_ID: testEnv().s3.accessKeyId, AWS_SECRET_ACCESS_KEY: testEnv().s3.secretAccessKey };
  }

  function launch(key: string, spec: TaskSpecInput = {}): { uid: string; container: Container } {
    const uid = randomUUID();
    return { uid, container: runContainer(image, [], { env: containerEnv(uid, key, spec) }) };
  }

  async function result(uid: string): Promise<TaskResult | undefined> {
    return parseTaskResult(await h.redis.get(resultKey(uid, 1)));
  }

  it("the image runs as uid 10001 on Node of the node devDependency, with no shell and a read-only root", async () => {
    const cfg = (await inspectImage(image)).Config;
    assert.equal(cfg.User, "10001:10001");
    // No credentials in the image: S3 access comes from the task role (ECS) or the launcher's environment.
    assert.deepEqual(cfg.Env?.filter((e) => /AWS_|SECRET|PASSWORD|TOKEN/.test(e.split("=")[0]!)), []);
    assert.deepEqual(cfg.Entrypoint, ["/usr/local/bin/node", "--enable-source-maps", "/app/main.mjs"]);
    const probe = await runToEnd(image, [
      "-e",
      `const fs = require("node:fs");
       let rootWritable = true;
       try { fs.writeFileSync("/probe", "x"); } catch (e) { rootWritable = e.code !== "EROFS"; }
       fs.writeFileSync("/tmp/probe", "x");
       console.log(JSON.stringify({ version: process.version, uid: process.getuid(), gid: process.getgid(), rootWritable,
         shells: ["/bin/sh", "/bin/bash", "/usr/bin/sh", "/usr/bin/dash"].filter((p) => fs.existsSync(p)) }));`,
    ], { entrypoint: "/usr/local/bin/node" });
    assert.equal(probe.code, 0, probe.output);
    assert.deepEqual(JSON.parse(probe.output.trim().split("\n").at(-1)!), { version: `v${NODE_VERSION}`, uid: 10001, gid: 10001, rootWritable: false, shells: [] });
    for (const tool of ["/usr/bin/ffmpeg", "/usr/bin/ffprobe"]) {
      const v = await runToEnd(image, ["-hide_banner", "-version"], { entrypoint: tool });
      assert.equal(v.code, 0, `${tool} runs on the copied libraries:\n${v.output}`);
      assert.match(v.output, /version 5\.1/);
    }
  });

  it("transcodes a 720p clip from MinIO to MinIO: two rungs, aligned keyframes, checksummed manifest, result in Redis", async () => {
    const seconds = 4;
    const file = join(dir, "clip.mp4");
    await makeClip(testEnv().tools.ffmpeg, file, { width: 1280, height: 720, seconds });
    await putFile(h, "uploads/img/clip/clip.mp4", file);
    const t0 = Date.now();
    const { uid, container } = launch("uploads/img/clip/clip.mp4", { encoding: { segmentSeconds: 2, x264Preset: "veryfast" } });
    const code = await container.exited;
    const r = await result(uid);
    assert.equal(code, EXIT_OK, `${JSON.stringify(r)}\n${container.output().slice(-3000)}`);
    console.log(`      transcoded in the container in ${Date.now() - t0} ms (podman start included)`);
    assert.equal(r?.ok, true);
    assert.equal((await h.redis.hgetall(progressKey(uid))).percent, "100");

    const prefix = `outputs/${uid}/`;
    const local = join(dir, "clip-out");
    const files = await downloadPrefix(h, prefix, local);
    const master = parseMaster(readFileSync(join(local, "master.m3u8"), "utf8"));
    assert.deepEqual(master.map((v) => [v.uri, v.attrs.RESOLUTION]), [["360p/index.m3u8", "640x360"], ["720p/index.m3u8", "1280x720"]]);
    for (const [name, w, hh] of [["360p", 640, 360], ["720p", 1280, 720]] as const) {
      const p = await ffprobeJson(testEnv().tools.ffprobe, join(local, `${name}.mp4`));
      const v = p.streams.find((s) => s.codec_type === "video");
      assert.deepEqual([v?.codec_name, v?.width, v?.height], ["h264", w, hh], name);
      assert.equal(p.streams.find((s) => s.codec_type === "audio")?.codec_name, "aac", name);
      assert.ok(Math.abs(Number(p.format.duration) - seconds) < 0.25, `${name} duration ${p.format.duration}`);
    }
    const kf = await Promise.all(master.map((v) => keyframeTimes(testEnv().tools.ffprobe, join(local, v.uri))));
    assert.deepEqual(kf[0], kf[1], "keyframes at the same times in every rung");
    assert.ok(kf[0]!.length >= seconds / 2, `keyframes ${kf[0]!.join(",")}`);
    assert.ok(files.includes("poster.jpg") && files.includes("sprite.jpg"));

    const manifest = JSON.parse(readFileSync(join(local, "manifest.json"), "utf8")) as Manifest;
    assert.equal(manifest.status, "complete");
    assert.deepEqual(manifest.files.map((f) => f.key.slice(prefix.length)).sort(), files.filter((f) => f !== "manifest.json").sort());
    for (const f of manifest.files) {
      const body = readFileSync(join(local, f.key.slice(prefix.length)));
      assert.equal(createHash("sha256").update(body).digest("hex"), f.sha256, f.key);
    }
  });

  it("bad input exits 65 through podman with the reason in Redis and nothing uploaded", async () => {
    const file = join(dir, "notes.txt");
    writeFileSync(file, "These are my notes.\nNot a video at all.\n".repeat(20));
    await putFile(h, "uploads/img/notes/notes.txt", file);
    const { uid, container } = launch("uploads/img/notes/notes.txt");
    assert.equal(await container.exited, EXIT_BAD_INPUT, container.output().slice(-2000));
    const r = await result(uid);
    assert.deepEqual([r?.ok, r?.exitCode, r?.reason], [false, EXIT_BAD_INPUT, "NotMedia"]);
    assert.deepEqual(await listKeys(h, `outputs/${uid}/`), []);
  });

  it("podman stop: node as PID 1 (no init, no shell) gets SIGTERM, exits 75 and reports Interrupted", async () => {
    const file = join(dir, "long.mp4");
    await makeClip(testEnv().tools.ffmpeg, file, { width: 1280, height: 720, seconds: 20 });
    await putFile(h, "uploads/img/long/long.mp4", file);
    const { uid, container } = launch("uploads/img/long/long.mp4", { encoding: { x264Preset: "slow", segmentSeconds: 4 } });
    const deadline = Date.now() + 120_000;
    while (parseProgress(await h.redis.hgetall(progressKey(uid)))?.stage !== "transcoding") {
      assert.ok(Date.now() < deadline, `never reached transcoding:\n${container.output().slice(-2000)}`);
      await sleep(200);
    }
    // A grace period long enough that a SIGKILL would mean the signal was lost.
    const code = await container.stop(30);
    assert.equal(code, EXIT_RETRYABLE, container.output().slice(-2000));
    assert.deepEqual(await result(uid), { ok: false, exitCode: EXIT_RETRYABLE, reason: "Interrupted", message: "The task was stopped." });
    assert.deepEqual(await listKeys(h, `outputs/${uid}/`), []);
  });
});

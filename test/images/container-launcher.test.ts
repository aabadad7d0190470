/**
 * The ContainerLauncher (operator/launchers/container) against real podman with the transcoder image, MinIO and
 * Redis: launch is idempotent per (uid, attempt), the state survives a new launcher (an operator restart), stop
 * delivers SIGTERM and the attempt ends retryable, an unknown task is Missing, a bad env starts nothing.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { TerminalError } from "../../lib/errors/index.js";
import { EXIT_OK, EXIT_RETRYABLE, parseProgress, parseTaskResult, progressKey, resultKey } from "../../lib/task-contract/index.js";
import { ContainerLauncher } from "../../operator/launchers/container/index.js";
import type { TaskState } from "../../operator/ports/launcher.js";
import { podmanEnv } from "../../scripts/images/tools.js";
import { testEnv } from "../env/index.js";
import { createHarness, listKeys, putFile, taskEnv, type Harness } from "../transcoder/harness.js";
import { makeClip } from "../transcoder/media.js";
import { images } from "./podman.js";

const execFileP = promisify(execFile);

describe("ContainerLauncher (podman, the transcoder image)", function () {
  this.timeout(900_000);
  let h: Harness;
  let dir: string;
  let launcher: ContainerLauncher;
  let options: ConstructorParameters<typeof ContainerLauncher>[0];
  const started: string[] = [];

  before(async () => {
    const image = (await images()).images.transcoder.ref;
    h = await createHarness("ctr");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-ctr-"));
    options = { image, credentials: testEnv().s3, podmanEnv, stopGraceSeconds: 30 };
    launcher = new ContainerLauncher(options);
  });
  after(async () => {
    if (started.length) await execFileP("podman", ["rm", "--force", "--ignore", ...started], { env: podmanEnv }).catch(() => undefined);
    await h?.close();
  });

  async function upload(name: string, clip: Parameters<typeof makeClip>[2]): Promise<string> {
    const file = join(dir, `${name}.mp4`);
    await makeClip(testEnv().tools.ffmpeg, file, clip);
    const key = `uploads/ctr/${name}/${name}.mp4`;
    await putFile(h, key, file);
    return key;
  }

  function request(uid: string, key: string, spec: Parameters<typeof taskEnv>[3] = {}) {
    const env = taskEnv(h, uid, key, spec);
    delete env.TJ_WORK_DIR; // the image's own /tmp
    return { uid, namespace: "tx-test", name: `job-${uid.slice(0, 8)}`, attempt: 1, env };
  }

  async function until(id: string, done: (s: TaskState) => boolean, l = launcher): Promise<TaskState> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const [s] = await l.describe([id]);
      if (done(s!)) return s!;
      assert.ok(Date.now() < deadline, `task ${id} still ${JSON.stringify(s)}`);
      await sleep(300);
    }
  }

  it("launch twice starts one container; it transcodes and ends Stopped with exit 0, seen by a new launcher too", async () => {
    const key = await upload("ok", { width: 640, height: 360, seconds: 2 });
    const uid = randomUUID();
    const req = request(uid, key, { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } });
    const [a, b] = await Promise.all([launcher.launch(req), launcher.launch(req)]);
    started.push(a.id);
    assert.deepEqual(a, b);
    assert.deepEqual(a, { launcher: "local", id: ContainerLauncher.taskId(uid, 1), attempt: 1 });
    const { stdout } = await execFileP("podman", ["ps", "--all", "--filter", `name=^${a.id}$`, "--format", "{{.Names}}"], { env: podmanEnv });
    assert.equal(stdout.trim(), a.id, "exactly one container");
    assert.deepEqual(await launcher.find(uid, 1), a);
    assert.equal(await launcher.find(uid, 2), undefined);

    const end = await until(a.id, (s) => s.state === "Stopped");
    assert.deepEqual(end, { id: a.id, state: "Stopped", exitCode: EXIT_OK, stopReason: "exited" });
    assert.equal(parseTaskResult(await h.redis.get(resultKey(uid, 1)))?.ok, true);
    assert.ok((await listKeys(h, `outputs/${uid}/`)).includes(`outputs/${uid}/manifest.json`));
    // An operator restart: the state is podman's, not the launcher's.
    const [again] = await new ContainerLauncher(options).describe([a.id, "tj-never-launched-1"]);
    assert.deepEqual(again, end);
    assert.deepEqual((await launcher.describe(["tj-never-launched-1"]))[0], { id: "tj-never-launched-1", state: "Missing" });
  });

  it("stop: SIGTERM reaches the transcoder, the task ends Stopped with exit 75 and the stop reason", async () => {
    const key = await upload("long", { width: 1280, height: 720, seconds: 20 });
    const uid = randomUUID();
    const ref = await launcher.launch(request(uid, key, { encoding: { x264Preset: "slow", segmentSeconds: 4 } }));
    started.push(ref.id);
    const deadline = Date.now() + 120_000;
    while (parseProgress(await h.redis.hgetall(progressKey(uid)))?.stage !== "transcoding") {
      assert.ok(Date.now() < deadline, "the task never reached transcoding");
      await sleep(200);
    }
    assert.equal((await launcher.describe([ref.id]))[0]?.state, "Running");
    await launcher.stop(ref.id, "Cancelled");
    await launcher.stop(ref.id, "again"); // idempotent; the first reason stays
    assert.deepEqual((await launcher.describe([ref.id]))[0], { id: ref.id, state: "Stopped", exitCode: EXIT_RETRYABLE, stopReason: "Cancelled" });
    assert.equal(parseTaskResult(await h.redis.get(resultKey(uid, 1)))?.reason, "Interrupted");
    await launcher.stop("tj-never-launched-1", "nothing"); // a missing task is fine
  });

  it("a bad task env is refused before any container exists", async () => {
    const uid = randomUUID();
    const req = { ...request(uid, "uploads/ctr/x/x.mp4"), env: { TJ_JOB_UID: uid } };
    await assert.rejects(launcher.launch(req), TerminalError);
    assert.equal(await launcher.find(uid, 1), undefined);
  });

  it("stopped containers are removed after the retention period", async () => {
    const key = await upload("gone", { width: 320, height: 240, seconds: 2 });
    const uid = randomUUID();
    const ref = await launcher.launch(request(uid, key, { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } }));
    started.push(ref.id);
    await until(ref.id, (s) => s.state === "Stopped");
    const later = new ContainerLauncher({ ...options, now: () => Date.now() + 3_600_001 });
    await later.describe([ref.id]);
    assert.deepEqual((await launcher.describe([ref.id]))[0], { id: ref.id, state: "Missing" });
  });
});

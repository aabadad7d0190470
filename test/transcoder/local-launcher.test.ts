/**
 * The local TaskLauncher with real child processes: the exact env contract, idempotent launch, exit codes,
 * stop with SIGTERM (the transcoder cleans up and reports Interrupted) and SIGKILL for a task that ignores it.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { waitFor } from "../support/wait.js";
import { join } from "node:path";
import { testEnv } from "../env/index.js";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { LocalLauncher, INHERITED_ENV } from "../../operator/launchers/local/index.js";
import { TRANSCODER_BUNDLE } from "../../images/transcoder/index.js";
import { EXIT_OK, EXIT_RETRYABLE, parseProgress, parseTaskResult, progressKey, resultKey, TASK_ENV_NAMES } from "../../lib/task-contract/index.js";
import { createHarness, listKeys, putFile, taskEnv, type Harness } from "./harness.js";
import { makeClip } from "./media.js";


/** Processes of process group `pgid` that have not exited (zombies count as exited). */
function liveInGroup(pgid: number): number {
  let n = 0;
  for (const entry of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

describe("LocalLauncher (real child processes)", function () {
  this.timeout(120_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    h = await createHarness("launch");
    dir = mkdtempSync(join(testEnv().tmpDir, "tx-launch-"));
  });
  after(async () => h?.close());

  it("gives the child exactly the contract env plus PATH/HOME and the AWS credentials, and reports its exit code", async () => {
    const out = join(dir, "env.json");
    const launcher = new LocalLauncher({
      command: [process.execPath, "-e", `require("fs").writeFileSync(${JSON.stringify(out)}, JSON.stringify(process.env)); process.exit(7)`],
      credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret-test" },
      parentEnv: { PATH: "/usr/bin:/bin", HOME: "/home/x", AWS_ACCESS_KEY_ID: "parent", SOME_SECRET: "must-not-leak", TJ_JOB_UID: "parent-uid" },
      output: "ignore",
    });
    const env = taskEnv(h, "uid-env", "k", {});
    const ref = await launcher.launch({ uid: "uid-env", namespace: "ns", name: "n", attempt: 1, env });
    assert.deepEqual(ref, { launcher: "local", id: "local-uid-env-1", attempt: 1 });
    const state = await launcher.waitForExit(ref.id);
    assert.deepEqual(state, { id: ref.id, state: "Stopped", exitCode: 7, stopReason: "exited" });
    const childEnv = JSON.parse(readFileSync(out, "utf8")) as Record<string, string>;
    const allowed = new Set<string>([...TASK_ENV_NAMES, ...INHERITED_ENV]);
    // Under coverage (c8), Node's child_process itself copies NODE_V8_COVERAGE into every child's env.
    if (process.env.NODE_V8_COVERAGE) allowed.add("NODE_V8_COVERAGE");
    // Nothing else may appear: anything more would be a leak from the parent.
    const extra = Object.keys(childEnv).filter((k) => !allowed.has(k));
    assert.deepEqual(extra, []);
    for (const [k, v] of Object.entries(env)) assert.equal(childEnv[k], v, k);
    assert.equal(childEnv.AWS_ACCESS_KEY_ID, "AKIDTEST");
    assert.equal(childEnv.AWS_SECRET_ACCESS_KEY, "secret-test");
    assert.equal(childEnv.PATH, "/usr/bin:/bin");
    assert.equal(childEnv.SOME_SECRET, undefined);
  });

  it("a task outlives its launcher (an operator crash) and the next launcher adopts it: found, described, stopped with its process group", async () => {
    const stateDir = mkdtempSync(join(dir, "state-"));
    // The task starts a grandchild in its process group, as the transcoder starts ffmpeg.
    const script = `require("child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" }); console.log("task up"); setInterval(() => {}, 1000);`;
    const command = [process.execPath, "-e", script];
    const first = new LocalLauncher({ command, stateDir, output: { dir: join(stateDir, "logs") } });
    const env = taskEnv(h, "uid-adopt", "k", {});
    const ref = await first.launch({ uid: "uid-adopt", namespace: "ns", name: "n", attempt: 1, env });
    // The first launcher is dropped without stopping anything, as a SIGKILLed operator would be.
    const second = new LocalLauncher({ command, stateDir, output: "ignore" });
    assert.deepEqual(await second.find("uid-adopt", 1), ref, "found again by (uid, attempt)");
    assert.equal(await second.find("uid-adopt", 2), undefined);
    assert.equal((await second.describe([ref.id]))[0]?.state, "Running");
    const again = await second.launch({ uid: "uid-adopt", namespace: "ns", name: "n", attempt: 1, env });
    assert.deepEqual(again, ref, "launching the same attempt adopts it instead of starting a second process");
    await waitFor(() => /task up/.test(readFileSync(join(stateDir, "logs", `${ref.id}.log`), "utf8")), 10_000, "the task writes its own log file");
    const { pid } = JSON.parse(readFileSync(join(stateDir, `${ref.id}.json`), "utf8")) as { pid: number };
    await waitFor(() => liveInGroup(pid) === 2, 5_000, "the task and its grandchild run");
    await second.stop(ref.id, "adopted and stopped");
    const state = (await second.describe([ref.id]))[0]!;
    assert.equal(state.state, "Stopped");
    assert.equal(state.stopReason, "adopted and stopped");
    await waitFor(() => liveInGroup(pid) === 0, 5_000, "its whole process group gone (zombies aside: they wait for their reaper)");
    assert.equal(existsSync(join(stateDir, `${ref.id}.json`)), false, "the record goes once the task is known stopped");
    const third = new LocalLauncher({ command, stateDir, output: "ignore" });
    assert.equal(await third.find("uid-adopt", 1), undefined, "a later operator no longer knows it");
  });

  it("an adopted record whose pid now belongs to another process (pid reuse) is a stopped task, never signalled", async () => {
    const stateDir = mkdtempSync(join(dir, "reuse-"));
    // This test's own process: alive, but not started at the recorded time.
    writeFileSync(join(stateDir, "local-uid-reuse-1.json"), JSON.stringify({ id: "local-uid-reuse-1", pid: process.pid, started: "1" }));
    const launcher = new LocalLauncher({ command: [process.execPath], stateDir, output: "ignore" });
    assert.equal((await launcher.describe(["local-uid-reuse-1"]))[0]?.state, "Stopped");
    await launcher.stop("local-uid-reuse-1", "must not signal");
    assert.ok(true, "this process is still alive");
  });

  it("launch is idempotent per (uid, attempt); unknown ids are Missing", async () => {
    const launcher = new LocalLauncher({ command: [process.execPath, "-e", "setTimeout(() => {}, 300)"], output: "ignore" });
    const env = taskEnv(h, "uid-idem", "k", {});
    const a = await launcher.launch({ uid: "uid-idem", namespace: "ns", name: "n", attempt: 1, env });
    const b = await launcher.launch({ uid: "uid-idem", namespace: "ns", name: "n", attempt: 1, env });
    assert.deepEqual(a, b);
    const [running, missing] = await launcher.describe([a.id, "local-nope-1"]);
    assert.equal(running?.state, "Running");
    assert.deepEqual(missing, { id: "local-nope-1", state: "Missing" });
    assert.equal((await launcher.waitForExit(a.id)).exitCode, 0);
    await launcher.close();
    await assert.rejects(launcher.launch({ uid: "later", namespace: "ns", name: "n", attempt: 1, env }), /closed/);
  });

  it("stop: a task that ignores SIGTERM is SIGKILLed after the grace period, with its whole process group", async () => {
    const launcher = new LocalLauncher({
      command: ["sh", "-c", "trap '' TERM; sleep 60 & wait"],
      output: "ignore",
      stopGraceMs: 500,
    });
    const ref = await launcher.launch({ uid: "uid-kill", namespace: "ns", name: "n", attempt: 1, env: taskEnv(h, "uid-kill", "k", {}) });
    await new Promise((r) => setTimeout(r, 200));
    const t0 = Date.now();
    await launcher.stop(ref.id, "Cancelled");
    assert.ok(Date.now() - t0 >= 450, "waited for the grace period");
    const [state] = await launcher.describe([ref.id]);
    assert.equal(state?.state, "Stopped");
    assert.equal(state?.exitCode, undefined);
    assert.equal(state?.stopReason, "Cancelled");
    await launcher.stop(ref.id, "again"); // idempotent
  });

  it("stop: the transcoder exits retryable on SIGTERM, reports Interrupted, uploads nothing and removes its scratch files", async () => {
    const env = testEnv();
    const file = join(dir, "long.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 1280, height: 720, seconds: 20 });
    await putFile(h, "uploads/u3/long/long.mp4", file);
    const uid = "uid-sigterm";
    const taskEnvVars = taskEnv(h, uid, "uploads/u3/long/long.mp4", { encoding: { x264Preset: "slow", segmentSeconds: 4 } });
    const ref = await h.launcher.launch({ uid, namespace: "ns", name: "n", attempt: 1, env: taskEnvVars });
    // Wait until ffmpeg is encoding, then stop.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const p = parseProgress(await h.redis.hgetall(progressKey(uid)));
      if (p?.stage === "transcoding") break;
      assert.ok(Date.now() < deadline, "the task never reached transcoding");
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1000));
    await h.launcher.stop(ref.id, "Cancelled");
    const [state] = await h.launcher.describe([ref.id]);
    const log = readFileSync(join(h.logDir, `${ref.id}.log`), "utf8");
    assert.equal(state?.exitCode, EXIT_RETRYABLE, `${JSON.stringify(state)}\n${log.slice(-3000)}`);
    const result = parseTaskResult(await h.redis.get(resultKey(uid, 1)));
    assert.deepEqual(result, { ok: false, exitCode: EXIT_RETRYABLE, reason: "Interrupted", message: "The task was stopped." });
    assert.deepEqual(readdirSync(h.workDir), [], "scratch files removed");
    assert.deepEqual(await listKeys(h, `outputs/${uid}/`), []);
    let left = "";
    try {
      left = execFileSync("pgrep", ["-f", `${h.workDir}/tj-`]).toString().trim();
    } catch {
      // pgrep exits 1 when nothing matches
    }
    assert.equal(left, "", "no ffmpeg left running on the scratch files");
  });

  it("the esbuild bundle (what the container runs) transcodes a job end to end", async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    execFileSync(process.execPath, ["--import", tsx, join(import.meta.dirname, "../../images/transcoder/build.ts")], { stdio: "ignore" });
    const env = testEnv();
    const file = join(dir, "bundle.mp4");
    await makeClip(env.tools.ffmpeg, file, { width: 320, height: 240, seconds: 2 });
    await putFile(h, "uploads/u3/bundle/bundle.mp4", file);
    const launcher = new LocalLauncher({
      command: [process.execPath, TRANSCODER_BUNDLE],
      credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
      output: { dir: h.logDir },
    });
    const uid = "uid-bundle";
    const ref = await launcher.launch({
      uid,
      namespace: "ns",
      name: "n",
      attempt: 1,
      env: taskEnv(h, uid, "uploads/u3/bundle/bundle.mp4", { encoding: { x264Preset: "ultrafast", segmentSeconds: 2 } }),
    });
    const state = await launcher.waitForExit(ref.id);
    assert.equal(state.exitCode, EXIT_OK, readFileSync(join(h.logDir, `${ref.id}.log`), "utf8").slice(-2000));
    const result = parseTaskResult(await h.redis.get(resultKey(uid, 1)));
    assert.equal(result?.ok, true);
    const keys = await listKeys(h, `outputs/${uid}/`);
    assert.ok(keys.includes(`outputs/${uid}/manifest.json`) && keys.includes(`outputs/${uid}/master.m3u8`), keys.join(","));
  });
});

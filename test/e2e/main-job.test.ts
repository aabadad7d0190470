/**
 * The main job end to end, through the same processes `npm start` runs: REST signup/login, presigned POST
 * uploads to MinIO, MinIO's webhook -> lambda handler -> Redis stream -> bridge -> TranscodeJob -> operator
 * (five-slot admission, local launcher) -> transcoder (ffmpeg) -> outputs in S3 -> status in kube and MongoDB.
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
import { makeSamples, runDemo, type DemoResult } from "../../scripts/local/demo.js";
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

  it("every uploaded video becomes exactly one job that Succeeds", () => {
    assert.equal(result.jobs.length, 3, sink.text);
    for (const job of result.jobs) assert.equal(job.phase, "Succeeded", `${job.id}: ${job.reason ?? ""} ${job.message ?? ""}\n${sink.text}`);
    assert.match(sink.text, /100%\s+Succeeded/);
  });

  it("kubectl get tj shows the jobs as Succeeded with the printer columns", async () => {
    const { stdout } = await run(env.kube.kubectl, ["--kubeconfig", env.kube.kubeconfigPath, "get", "tj", "-n", plane.namespace, "-o", "wide"]);
    const [header, ...rows] = stdout.trim().split("\n");
    assert.match(header!, /^NAME\s+PHASE\s+PROGRESS\s+ATTEMPTS/);
    assert.equal(rows.length, 3, stdout);
    for (const row of rows) assert.match(row, /^up-[0-9a-f]{20}\s+Succeeded\s+100\s+1\s/, row);
  });

  it("MongoDB keeps one record per job with its phase history", async () => {
    const mongo = await MongoClient.connect(env.mongo.url);
    try {
      const records = await mongo.db(plane.database).collection("jobs").find({}).toArray();
      assert.equal(records.length, 3);
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

/** Runs the real transcoder entrypoint as a child process through the LocalLauncher, against MinIO and Redis. */
import { randomUUID } from "node:crypto";
import { mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Redis } from "ioredis";
import { transcoderCommand } from "../../images/transcoder/index.js";
import { LocalLauncher } from "../../operator/launchers/local/index.js";
import { encodeTaskEnv, parseTaskResult, resultKey, type TaskLimits, type TaskResult, type TaskSpecInput } from "../../lib/task-contract/index.js";
import { testEnv } from "../env/index.js";

export interface Harness {
  s3: S3Client;
  redis: Redis;
  launcher: LocalLauncher;
  inBucket: string;
  outBucket: string;
  logDir: string;
  /** The tasks' scratch root (TJ_WORK_DIR): must be empty after every run. */
  workDir: string;
  close(): Promise<void>;
}

export async function createHarness(tag: string): Promise<Harness> {
  const env = testEnv();
  const s3 = new S3Client({
    region: env.s3.region,
    endpoint: env.s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
  });
  const suffix = randomUUID().slice(0, 8);
  const inBucket = `tx-${tag}-in-${suffix}`;
  const outBucket = `tx-${tag}-out-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: inBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: outBucket }));
  const redis = new Redis(env.redis.url);
  const logDir = join(env.tmpDir, `transcoder-${tag}-${suffix}`);
  mkdirSync(logDir, { recursive: true });
  const workDir = join(env.tmpDir, `transcoder-work-${tag}-${suffix}`);
  mkdirSync(workDir, { recursive: true });
  const launcher = new LocalLauncher({
    command: transcoderCommand(),
    credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
    output: { dir: logDir },
    stopGraceMs: 3000,
  });
  return {
    s3,
    redis,
    launcher,
    inBucket,
    outBucket,
    logDir,
    workDir,
    async close() {
      await launcher.close();
      redis.disconnect();
      s3.destroy();
    },
  };
}

export async function putFile(h: Harness, key: string, file: string): Promise<void> {
  await h.s3.send(new PutObjectCommand({ Bucket: h.inBucket, Key: key, Body: await readFile(file) }));
}

export interface RunOutcome {
  uid: string;
  prefix: string;
  exitCode: number | undefined;
  result: TaskResult | undefined;
  log: string;
}

export interface EnvOverrides {
  s3Endpoint?: string;
  redisUrl?: string;
  inBucket?: string;
  outBucket?: string;
  /** The output prefix (default outputs/<uid>/). */
  prefix?: string;
  limits?: Partial<TaskLimits>;
}

export function taskEnv(h: Harness, uid: string, key: string, spec: TaskSpecInput, o: EnvOverrides = {}): Record<string, string> {
  const env = testEnv();
  return encodeTaskEnv({
    job: { uid, namespace: "tx-test", name: `job-${uid.slice(0, 8)}` },
    attempt: 1,
    source: { bucket: o.inBucket ?? h.inBucket, key },
    output: { bucket: o.outBucket ?? h.outBucket, prefix: o.prefix ?? `outputs/${uid}/` },
    spec,
    // The task's own user (lib/redis-acl): it may write progress and results, nothing else.
    redisUrl: o.redisUrl ?? env.redis.clients.task,
    region: env.s3.region,
    s3: { endpoint: o.s3Endpoint ?? env.s3.endpoint, forcePathStyle: true },
    workDir: h.workDir,
    limits: o.limits,
  });
}

/** Launches one attempt and waits for it to exit; returns the exit code and the result it left in Redis. */
export async function runAttempt(h: Harness, key: string, spec: TaskSpecInput = {}, o: EnvOverrides = {}): Promise<RunOutcome> {
  const uid = randomUUID();
  const env = taskEnv(h, uid, key, spec, o);
  const ref = await h.launcher.launch({ uid, namespace: "tx-test", name: "job", attempt: 1, env });
  const state = await h.launcher.waitForExit(ref.id);
  const result = parseTaskResult(await h.redis.get(resultKey(uid, 1)));
  const log = await readFile(join(h.logDir, `${ref.id}.log`), "utf8").catch(() => "");
  return { uid, prefix: o.prefix ?? `outputs/${uid}/`, exitCode: state.exitCode, result, log };
}

export async function listKeys(h: Harness, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const res = await h.s3.send(new ListObjectsV2Command({ Bucket: h.outBucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = res.NextContinuationToken;
  } while (token);
  return keys.sort();
}

export async function getObject(h: Harness, key: string): Promise<{ body: Buffer; contentType: string | undefined; cacheControl: string | undefined }> {
  const res = await h.s3.send(new GetObjectCommand({ Bucket: h.outBucket, Key: key }));
  return { body: Buffer.from(await res.Body!.transformToByteArray()), contentType: res.ContentType, cacheControl: res.CacheControl };
}

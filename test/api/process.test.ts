import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import * as k8s from "@kubernetes/client-node";
import { applyCrd } from "../../lib/kube/index.js";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";
import { suiteRedisUser } from "../support/redis-users.js";

const TSX = "node_modules/.bin/tsx";

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function run(env: Record<string, string>): { child: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const child = spawn(TSX, ["api/main.ts"], { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, out: () => out, exited };
}

describe("api: the entrypoint process", function () {
  this.timeout(60_000);

  it("a bad configuration exits 78 naming every bad variable, with no stack trace", async () => {
    const p = run({ API_SESSION_KEYS: "short", REDIS_URL: "redis://127.0.0.1:1" });
    assert.equal(await p.exited, 78);
    assert.match(p.out(), /^invalid configuration of api:$/m);
    assert.match(p.out(), /^ {2}API_SESSION_KEYS: each session key needs at least 32 characters$/m);
    assert.match(p.out(), /^ {2}MONGODB_URL: is required$/m);
    assert.match(p.out(), /^ {2}UPLOADS_BUCKET: is required$/m);
    assert.doesNotMatch(p.out(), /\n\s+at /);
  });

  it("serves from env config, logs JSON request lines with the request id, and drains on SIGTERM with exit 0", async () => {
    const env = testEnv();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(env.kube.kubeconfigPath);
    // Without the CRD the API is alive but not ready (its kube check lists TranscodeJobs).
    await applyCrd(kc);
    const id = randomBytes(4).toString("hex");
    const s3 = new S3Client({ region: env.s3.region, endpoint: env.s3.endpoint, forcePathStyle: true, credentials: env.s3 });
    await s3.send(new CreateBucketCommand({ Bucket: `api-proc-up-${id}` }));
    s3.destroy();
    const [port, internalPort] = [await freePort(), await freePort()];
    const redisUser = await suiteRedisUser("api", { apiPrefix: `tj:api-proc-${id}:` });
    // MONGO_URL, MONGO_DB and API_PORT are the names of the previous release: they still work, with a warning.
    const p = run({
      API_PORT: String(port),
      INTERNAL_HTTP_PORT: String(internalPort),
      API_SESSION_KEYS: randomBytes(24).toString("hex"),
      API_INSECURE_HTTP: "true",
      MONGO_URL: env.mongo.url,
      MONGO_DB: `api_proc_${id}`,
      REDIS_URL: redisUser.url,
      API_REDIS_PREFIX: `tj:api-proc-${id}:`,
      KUBECONFIG: env.kube.kubeconfigPath,
      JOBS_NAMESPACE: `api-proc-${id}`,
      AWS_REGION: env.s3.region,
      AWS_ACCESS_KEY_ID: env.s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: env.s3.secretAccessKey,
      S3_ENDPOINT: env.s3.endpoint,
      S3_FORCE_PATH_STYLE: "true",
      UPLOADS_BUCKET: `api-proc-up-${id}`,
      OUTPUTS_BUCKET: `api-proc-out-${id}`,
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 30_000, "api up");
      // Ready once every dependency answers (the apiserver may still be initialising storage for a new CRD).
      await waitFor(async () => (await fetch(`http://127.0.0.1:${internalPort}/readyz`)).status === 200, 30_000, `api ready:\n${p.out()}`);
      const r = await fetch(`${base}/auth/signup`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "proc-test-0001" },
        body: JSON.stringify({ email: "proc@example.com", password: "a very secret passphrase" }),
      });
      assert.equal(r.status, 201);
      for (const [old, current] of [["MONGO_URL", "MONGODB_URL"], ["MONGO_DB", "MONGODB_DATABASE"], ["API_PORT", "HTTP_PORT"]]) {
        assert.match(p.out(), new RegExp(`"level":40,[^\n]*"msg":"${old} is deprecated and will be removed in the next release: set ${current} instead"`));
      }
      await waitFor(() => p.out().includes('"requestId":"proc-test-0001"'), 5000, "request log line");
      const line = p.out().split("\n").find((l) => l.includes('"requestId":"proc-test-0001"'))!;
      const entry = JSON.parse(line) as Record<string, unknown>;
      assert.equal(entry.status, 201);
      assert.equal(entry.route, "/auth/signup");
      assert.doesNotMatch(p.out(), /a very secret passphrase/, "no password in any log line");
      assert.equal(p.out().includes(new URL(redisUser.url).password), false, "no Redis password in any log line");
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0);
      assert.match(p.out(), /"msg":"api closed"/);
    } finally {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await redisUser.remove();
    }
  });
});

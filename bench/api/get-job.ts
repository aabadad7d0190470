/**
 * Authenticated GET /jobs/:id throughput and latency on loopback, against the API process as the embedded
 * control plane runs it (`npm start`'s stack): with the session cookie and with an API token (its request budget
 * raised out of the way). Prints figures and the ratios to /healthz (no auth) and /auth/me (session only, no job
 * read); asserts nothing.
 *   npm run bench:api                       (defaults: 10 connections, 10 s per target)
 *   BENCH_CONNECTIONS=50 BENCH_SECONDS=20 npm run bench:api
 */
import autocannon from "autocannon";

type Result = Awaited<ReturnType<typeof autocannon>>;
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ApiClient } from "../../scripts/local/client.js";
import { freePort, startControlPlane, startStack } from "../../stack/index.js";

const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const duration = Number(process.env.BENCH_SECONDS ?? 10);

function row(name: string, r: Result): string {
  const cells = [
    name.padEnd(28),
    r.requests.average.toFixed(0).padStart(8),
    r.latency.p50.toFixed(1).padStart(7),
    r.latency.p90.toFixed(1).padStart(7),
    r.latency.p99.toFixed(1).padStart(7),
    r.latency.max.toFixed(1).padStart(8),
    String(r.non2xx + r.errors + r.timeouts).padStart(7),
  ];
  return cells.join(" ");
}

async function main(): Promise<void> {
  const receiverPort = await freePort();
  const stack = await startStack({ minio: { notifyWebhook: `http://127.0.0.1:${receiverPort}/` } });
  try {
    const runDir = join(stack.runDir, "control-plane");
    mkdirSync(runDir, { recursive: true });
    const plane = await startControlPlane({
      env: stack.env,
      runDir,
      logDir: stack.logDir,
      receiverPort,
      logLevel: "warn",
      apiEnv: { API_TOKEN_MAX_REQUESTS: "1000000" },
    });
    try {
      const c = new ApiClient(plane.apiUrl);
      await c.signupAndLogin("bench@example.com", "a bench passphrase of some length");
      const file = join(stack.env.tmpDir, "bench.mp4");
      writeFileSync(file, new Uint8Array(1024));
      const key = await c.upload(file);
      // 201 when the API names the upload's job first, 200 when the bridge already made it from the S3 event.
      const job = await c.call<{ id: string }>("POST", "/jobs", { source: { key } }, [200, 201]);
      const { token } = await c.call<{ token: string }>("POST", "/auth/tokens", { name: "bench", scopes: ["jobs:read"] }, [201]);
      const headers = { cookie: c.cookieHeader };
      const bearer = { authorization: `Bearer ${token}` };
      const url = (path: string) => `${plane.apiUrl}${path}`;

      // Warm-up: JIT, connection pools, the apiserver's caches.
      await autocannon({ url: url(`/jobs/${job.id}`), connections, duration: 2, headers });
      const health = await autocannon({ url: url("/healthz"), connections, duration });
      const me = await autocannon({ url: url("/auth/me"), connections, duration, headers });
      const get = await autocannon({ url: url(`/jobs/${job.id}`), connections, duration, headers });
      const tokenGet = await autocannon({ url: url(`/jobs/${job.id}`), connections, duration, headers: bearer });

      console.log(`\nAPI on loopback, ${connections} connections, ${duration} s per target, node ${process.version}`);
      console.log(["target".padEnd(28), "req/s".padStart(8), "p50 ms".padStart(7), "p90 ms".padStart(7), "p99 ms".padStart(7), "max ms".padStart(8), "errors".padStart(7)].join(" "));
      console.log(row("GET /healthz (no session)", health));
      console.log(row("GET /auth/me (session)", me));
      console.log(row("GET /jobs/:id (session)", get));
      console.log(row("GET /jobs/:id (API token)", tokenGet));
      console.log(
        `\nratios: /jobs/:id throughput = ${(get.requests.average / health.requests.average).toFixed(3)} x /healthz, ` +
          `${(get.requests.average / me.requests.average).toFixed(3)} x /auth/me; p99 /jobs/:id = ${(get.latency.p99 / Math.max(me.latency.p99, 0.001)).toFixed(2)} x /auth/me; ` +
          `with a token ${(tokenGet.requests.average / get.requests.average).toFixed(3)} x the session's throughput`,
      );
    } finally {
      await plane.stop();
    }
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);

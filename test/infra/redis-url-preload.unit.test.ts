import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { buildPreload } from "../../infra/lambda-preload/build.js";

let PRELOAD = "";
const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tcp-redis-lambda-AbCdEf";
const run = promisify(execFile);

/** Runs node with the preload, as the Lambda runtime does through NODE_OPTIONS, and prints what REDIS_URL became. */
function withPreload(port: number, extra: Record<string, string> = {}) {
  return run(process.execPath, ["-e", "console.log(process.env.REDIS_URL)"], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_OPTIONS: `--import ${PRELOAD}`,
      TJ_REDIS_URL_SECRET_ID: SECRET_ID,
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
      AWS_SESSION_TOKEN: "session-token",
      ...extra,
    },
  });
}

describe("infra: the upload Lambda's Redis URL preload (against a local stand-in for the secrets extension's HTTP API)", function () {
  this.timeout(20_000);
  let server: Server;
  let seen: IncomingMessage[] = [];
  let answer: { status: number; body: string } = { status: 200, body: "" };

  before(async () => {
    // The file the layer ships, as the deployment builds it.
    PRELOAD = join(mkdtempSync(join(tmpdir(), "tj-preload-")), "redis-url.mjs");
    writeFileSync(PRELOAD, await buildPreload());
    server = createServer((req, res) => {
      seen.push(req);
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  after(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => (seen = []));
  const port = () => (server.address() as AddressInfo).port;

  it("sets REDIS_URL from the secret before the program runs, authenticated with the session token", async () => {
    answer = { status: 200, body: JSON.stringify({ Name: "x", SecretString: "rediss://lambda:pw@redis:6379" }) };
    const { stdout } = await withPreload(port());
    assert.equal(stdout.trim(), "rediss://lambda:pw@redis:6379");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]?.url, `/secretsmanager/get?secretId=${encodeURIComponent(SECRET_ID)}`);
    assert.equal(seen[0]?.headers["x-aws-parameters-secrets-token"], "session-token");
  });

  it("fails the cold start, naming the secret but no value, when the secret cannot be read", async () => {
    answer = { status: 400, body: "{}" };
    const err = (await withPreload(port(), { TJ_REDIS_URL_SECRET_ATTEMPTS: "2" }).then(
      () => assert.fail("should have failed"),
      (e: unknown) => e,
    )) as { stderr: string; code: number };
    assert.notEqual(err.code, 0);
    assert.match(err.stderr, new RegExp(`could not read the Redis URL secret ${SECRET_ID.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the extension answered HTTP 400`));
    assert.equal(seen.length, 2, "retried");
  });

  it("leaves an explicitly set REDIS_URL alone (the embedded mode and tests set it directly)", async () => {
    const { stdout } = await withPreload(port(), { REDIS_URL: "redis://127.0.0.1:6379" });
    assert.equal(stdout.trim(), "redis://127.0.0.1:6379");
    assert.equal(seen.length, 0);
  });
});

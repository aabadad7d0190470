import assert from "node:assert/strict";
import { createLogger, redactUrlCredentials } from "../../lib/log.js";

/** The lines one logger writes, as the process's stdout would get them. */
function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger("t", { level: "debug" }, { write: (s: string) => void lines.push(s) }) };
}

const PASSWORD = "0f1e2d3c4b5a69788796a5b4c3d2e1f0aabbccdd";
const TASK_URL = `redis://task:${PASSWORD}@10.0.0.7:6379`;

describe("logs never carry a credential (lib/log.ts)", () => {
  it("redacts the password of every URL, wherever it is in a line", () => {
    const { lines, log } = capture();
    const err = new Error(`connect to ${TASK_URL} failed`);
    log.child({ redis: TASK_URL }).warn({ env: { TJ_REDIS_URL: TASK_URL, REDIS_URL: `rediss://:${PASSWORD}@h:6380/0` }, err, urls: [TASK_URL] }, `dialling ${TASK_URL}`);
    log.info(`mongodb://app:${PASSWORD}@mongo:27017/db and https://${PASSWORD}@git.example/x`);
    const text = lines.join("");
    assert.equal(lines.length, 2);
    assert.equal(text.includes(PASSWORD), false, text);
    // What is left still says which user and where: debugging needs it.
    assert.match(text, /redis:\/\/task:\[redacted\]@10\.0\.0\.7:6379/);
    assert.match(text, /rediss:\/\/:\[redacted\]@h:6380/);
    assert.match(text, /mongodb:\/\/app:\[redacted\]@mongo/);
    assert.match(text, /https:\/\/\[redacted\]@git\.example/);
    assert.match(text, /"stack":"Error: connect to redis:\/\/task:\[redacted\]@/, "an error's stack too");
  });

  it("redacts the secret settings that are not URLs, also inside a dumped environment", () => {
    const { lines, log } = capture();
    log.info({ API_SESSION_KEYS: "k1,k2", env: { WEBHOOK_AUTH_TOKEN: "tok-123", AWS_SECRET_ACCESS_KEY: "aws-secret-xyz" }, password: "pw-1", headers: { authorization: "Bearer b-1" } }, "config");
    const text = lines.join("");
    for (const secret of ["k1,k2", "tok-123", "aws-secret-xyz", "pw-1", "Bearer b-1"]) assert.equal(text.includes(secret), false, `${secret} in ${text}`);
  });

  it("leaves URLs without userinfo and plain text alone", () => {
    for (const s of ["http://127.0.0.1:8080/healthz", "redis://127.0.0.1:6379", "user@example.com", "a: b@c", "s3://bucket/key@v1"])
      assert.equal(redactUrlCredentials(s), s);
  });
});

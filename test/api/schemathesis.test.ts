import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binaries } from "../../stack/versions.js";
import { testEnv } from "../env/index.js";
import { startHarness, type Harness } from "./harness.js";

/**
 * Schemathesis against the served OpenAPI document, signed in (session cookie + CSRF header): every operation's
 * generated and boundary inputs must get no 5xx and a response that matches its documented schema. The sign-out
 * operations are left out (they would end the run's own session), so is the SSE stream (it stays open).
 */
describe("api: schemathesis against the served OpenAPI document", function () {
  this.timeout(600_000);
  let h: Harness;
  before(async function () {
    if (!existsSync(binaries.schemathesis)) throw new Error(`${binaries.schemathesis} is missing: run npm run testenv:install -- schemathesis`);
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  it("reports no 5xx and no schema violation", async () => {
    const c = h.client();
    await c.signupAndLogin();
    const dir = join(testEnv().tmpDir, `schemathesis-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    const args = [
      "run",
      `${h.api.url}/openapi.json`,
      "--checks",
      "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance",
      "--header",
      `Cookie: ${c.cookieHeader()}`,
      "--header",
      `X-CSRF-Token: ${c.csrf ?? ""}`,
      "--exclude-operation-id",
      "logout",
      "--exclude-operation-id",
      "logoutEverywhere",
      "--exclude-operation-id",
      "streamJobProgress",
      // Not the coverage phase: in 4.32.5 it stops with an internal error (hypothesis's lambda-source AST walk,
      // "AST constructor recursion depth mismatch") on DELETE /auth/tokens/{id}, before sending anything.
      "--phases",
      "examples,fuzzing",
      "--max-examples",
      process.env.SCHEMATHESIS_MAX_EXAMPLES ?? "50",
      "--seed",
      "15",
      "--workers",
      "4",
      "--request-timeout",
      "10",
      "--report",
      "junit",
      "--report-dir",
      dir,
    ];
    const out = await new Promise<{ code: number; text: string }>((resolve, reject) => {
      // In the run's own directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
      const child = spawn(binaries.schemathesis, args, { cwd: dir, env: { ...process.env, NO_COLOR: "1", SCHEMATHESIS_TELEMETRY: "false" } });
      let text = "";
      child.stdout.on("data", (d: Buffer) => (text += d.toString()));
      child.stderr.on("data", (d: Buffer) => (text += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, text }));
    });
    const summary = out.text.split("\n").filter((l) => /passed|failed|errored|skipped|Server error|schema|FAILURES|=====/i.test(l)).slice(-20);
    console.log(`      ${summary.join("\n      ")}`);
    writeFileSync(join(dir, "output.txt"), out.text);
    if (out.code !== 0) console.log(`${out.text.slice(0, 6000)}\n...\n${out.text.slice(-6000)}\n(all of it: ${join(dir, "output.txt")})`);
    assert.equal(out.code, 0, "schemathesis found failures (output above)");
    assert.ok(readdirSync(dir).some((f) => f.startsWith("junit")), "a report was written");
  });
});

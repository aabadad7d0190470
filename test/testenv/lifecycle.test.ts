/**
 * The test environment's own failure paths: an interrupted run leaves no process or directory behind, and a
 * service that cannot start fails fast with its name, command and log.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { ServiceError } from "../../stack/process.js";
import { StartContext, requireBinary } from "../../stack/services/context.js";
import { testEnv } from "../env/index.js";
import { waitFor } from "../support/wait.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("test environment lifecycle", function () {
  this.timeout(120_000);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    it(`${signal} to a process holding a stack stops every service and removes its run dir`, async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "test/env/hold-stack.ts"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      await waitFor(() => out.includes("\n"), 90_000, "the stack to start");
      const { pids, runDir } = JSON.parse(out) as { pids: number[]; runDir: string };
      assert.equal(pids.length >= 6, true, `expected at least 6 service processes, got ${pids.length}`);
      assert.ok(pids.every(alive));
      child.kill(signal);
      await once(child, "exit");
      await waitFor(() => !pids.some(alive), 10_000, "every service process to be gone");
      assert.equal(existsSync(runDir), false, "run dir removed");
    });
  }

  it("a service that exits before it is ready fails fast, naming the service, the command and the log", async () => {
    const ctx = new StartContext(mkdtempSync(join(testEnv().tmpDir, "ctx-")), join(testEnv().tmpDir, "logs"));
    const proc = ctx.spawn({ service: "broken", command: "sh", args: ["-c", "echo port taken >&2; exit 3"] });
    const t0 = Date.now();
    await assert.rejects(
      proc.waitReady(() => Promise.resolve(false), 30_000),
      (err: unknown) =>
        err instanceof ServiceError &&
        /^broken: exited with code 3/.test(err.message) &&
        err.message.includes("command: sh -c") &&
        err.message.includes(proc.logFile) &&
        err.message.includes("port taken"),
    );
    assert.ok(Date.now() - t0 < 5_000, "did not wait for the timeout");
  });

  it("a missing binary names the install command", () => {
    assert.throws(
      () => requireBinary("minio", "/nonexistent/minio"),
      (err: unknown) => err instanceof ServiceError && err.message.includes("npm run testenv:install"),
    );
  });
});

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "../support/wait.js";

const root = join(import.meta.dirname, "..", "..");

/** One bridge replica: the real entrypoint (bridge/main.ts) in a child process of its own. */
export class BridgeProcess {
  readonly child: ChildProcess;
  readonly logPath: string;
  private exit: Promise<number | null>;

  constructor(name: string, env: Record<string, string>, logDir: string) {
    this.logPath = join(logDir, `${name}.log`);
    const log = createWriteStream(this.logPath);
    this.child = spawn(process.execPath, ["--import", "tsx", join(root, "bridge/main.ts")], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", BRIDGE_CONSUMER: name, HTTP_HOST: "127.0.0.1", HTTP_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    this.exit = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** The /healthz, /metrics base URL, once the replica logged it. */
  async url(timeoutMs = 20_000): Promise<string> {
    let found: string | undefined;
    await waitFor(
      () => {
        const m = /"health":"(http:\/\/[^"]+)\/healthz"/.exec(readFileSync(this.logPath, "utf8"));
        found = m?.[1];
        return found !== undefined;
      },
      timeoutMs,
      `${this.logPath} to report its health URL`,
    );
    return found!;
  }

  kill(): Promise<number | null> {
    this.child.kill("SIGKILL");
    return this.exit;
  }

  /** SIGTERM: the graceful path; resolves with the exit code. */
  terminate(): Promise<number | null> {
    this.child.kill("SIGTERM");
    return this.exit;
  }
}

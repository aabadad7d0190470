/** Running the image tools (podman, skopeo, mmdebstrap, npm): output into a log file, failures that name it. */
import { execFile, execFileSync, spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";

const execFileP = promisify(execFile);
export const repoRoot = new URL("../../", import.meta.url).pathname;

/**
 * Settings of scripts/testenv/versions.sh as bash evaluates them (it derives CONTAINERS_CONF and the cache dir
 * from the environment), so each stays written once.
 */
export function shellSettings<K extends string>(names: readonly K[]): Record<K, string> {
  const script = `source "$1"; shift; for n in "$@"; do printf '%s\\0' "\${!n}"; done`;
  const values = execFileSync("bash", ["-c", script, "bash", join(repoRoot, "scripts/testenv/versions.sh"), ...names], {
    encoding: "utf8",
  }).split("\0");
  const out = {} as Record<K, string>;
  names.forEach((name, i) => {
    const value = values[i];
    if (!value) throw new Error(`scripts/testenv/versions.sh does not set ${name}`);
    out[name] = value;
  });
  return out;
}

export const settings = shellSettings(["TESTENV_CACHE", "CONTAINERS_CONF", "DEBIAN_SUITE"] as const);

/** Where every image artifact lives: outside the clone, keyed by content (see build.ts). */
export const imagesCache = join(settings.TESTENV_CACHE, "images");

/** The environment podman and skopeo need in this sandbox (ulimits, runc: see install.sh install_containers). */
export const podmanEnv: NodeJS.ProcessEnv = { ...process.env, CONTAINERS_CONF: settings.CONTAINERS_CONF };

export class ToolError extends Error {
  override readonly name = "ToolError";
}

/** Runs a command with its output appended to `log`; a failure names the step, the command, the log and its tail. */
export async function run(step: string, log: string, command: string, args: string[], env = podmanEnv): Promise<void> {
  mkdirSync(dirname(log), { recursive: true });
  const fd = openSync(log, "a");
  let code: number | null;
  try {
    const child = spawn(command, args, { env, stdio: ["ignore", fd, fd] });
    code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("exit", (c, signal) => resolve(signal ? 128 : c));
    });
  } finally {
    closeSync(fd);
  }
  if (code !== 0) {
    const tail = readFileSync(log, "utf8").trimEnd().split("\n").slice(-25).join("\n    | ");
    throw new ToolError(`${step} failed: '${command} ${args.join(" ")}' exited ${code}\n  log: ${log}\n    | ${tail}`);
  }
}

/** stdout of a short command (inspect, exists); rejects with its stderr on failure. */
export async function output(command: string, args: string[], env = podmanEnv): Promise<string> {
  const { stdout } = await execFileP(command, args, { env, maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function imageExists(ref: string): Promise<boolean> {
  return output("podman", ["image", "exists", ref]).then(
    () => true,
    () => false,
  );
}

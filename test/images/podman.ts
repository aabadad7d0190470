/** Runs the project's images for real with podman (runc), the way a restricted pod or an ECS task runs them. */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import type { BuildResult } from "../../scripts/images/build.js";
import type { ProcessName } from "../../scripts/images/entrypoints.js";
import { podmanEnv } from "../../scripts/images/tools.js";
import { registerExitCleanup } from "../../stack/index.js";

const execFileP = promisify(execFile);

export type Images = BuildResult & { processCommand: (name: ProcessName) => string[] };

let built: Promise<Images> | undefined;

/**
 * The images of this tree, built once per test run (`npm run build:images` does the same): seconds when the
 * cache holds them, a few minutes cold (the Debian rootfs). Prints the size figures.
 * Imported lazily: scripts/images/entrypoints.ts reads operator/build.ts, whose CLI has a top-level await, and a
 * test file whose static imports reach one is loaded with import() instead of require(): it then gets a copy of
 * test/env of its own, which the fixture never set up (testEnv() throws).
 */
export function images(): Promise<Images> {
  built ??= Promise.all([import("../../scripts/images/build.js"), import("../../scripts/images/entrypoints.js")]).then(async ([b, e]) => {
    const r = await b.buildImages();
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    for (const i of Object.values(r.images)) console.log(`      ${i.name}: ${mb(i.sizes.uncompressed)} unpacked, ${mb(i.sizes.compressed)} gzip (${i.ref})`);
    return { ...r, processCommand: e.processCommand };
  });
  return built;
}

/**
 * The settings every container here runs with: a read-only root filesystem with a tmpfs only at /tmp (nothing
 * else writable: --read-only-tmpfs=false drops podman's own /run and /var/tmp), no capabilities, no privilege
 * gain, the image's own user. --network host reaches the test services on 127.0.0.1.
 */
const RESTRICTED = [
  "--network=host",
  "--read-only",
  "--read-only-tmpfs=false",
  "--tmpfs=/tmp:rw,nosuid,nodev,size=512m,mode=1777",
  "--cap-drop=ALL",
  "--security-opt=no-new-privileges",
];

export interface RunOptions {
  /**
   * Passed by name (`-e NAME`) with the value in podman's own environment, so no value shows in a process list;
   * only the names listed reach the container.
   */
  env?: Record<string, string>;
  /** Host file -> container path, read-only. */
  mounts?: Record<string, string>;
  /** Replaces the image's entrypoint. */
  entrypoint?: string;
  /** Replaces the restricted settings above (network, read-only root, /tmp, capabilities) with these podman flags. */
  flags?: readonly string[];
}

export interface Container {
  name: string;
  /** Resolves with the container's exit code (podman run passes it through). */
  exited: Promise<number>;
  output(): string;
  /** podman stop: SIGTERM to the container's PID 1, SIGKILL after `timeoutSeconds`. */
  stop(timeoutSeconds?: number): Promise<number>;
}

export function runContainer(image: string, args: string[], o: RunOptions = {}): Container {
  const name = `tcp-test-${randomUUID().slice(0, 8)}`;
  const env = o.env ?? {};
  const flags = [
    "run", "--rm", `--name=${name}`, ...(o.flags ?? RESTRICTED),
    ...Object.keys(env).flatMap((k) => ["-e", k]),
    ...Object.entries(o.mounts ?? {}).flatMap(([from, to]) => ["-v", `${from}:${to}:ro`]),
    ...(o.entrypoint ? [`--entrypoint=${o.entrypoint}`] : []),
    image, ...args,
  ];
  const child: ChildProcess = spawn("podman", flags, { env: { ...podmanEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const keep = (chunk: Buffer) => (out = (out + chunk.toString()).slice(-64 * 1024));
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // A test run killed midway must not leave a container behind.
  const unregister = registerExitCleanup(() => {
    try {
      execFileSync("podman", ["rm", "-f", "-t", "0", name], { env: podmanEnv, stdio: "ignore" });
    } catch {
      // already gone
    }
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      unregister();
      resolve(code ?? (signal ? 128 : -1));
    });
  });
  return {
    name,
    exited,
    output: () => out,
    async stop(timeoutSeconds = 10) {
      await execFileP("podman", ["stop", "-t", String(timeoutSeconds), name], { env: podmanEnv }).catch(() => undefined);
      return exited;
    },
  };
}

/** Runs a container to its end: its exit code and output. */
export async function runToEnd(image: string, args: string[], o: RunOptions = {}): Promise<{ code: number; output: string }> {
  const c = runContainer(image, args, o);
  const code = await c.exited;
  return { code, output: c.output() };
}

export async function inspectImage(ref: string): Promise<{ Config: { User?: string; Env?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> } }> {
  const { stdout } = await execFileP("podman", ["image", "inspect", ref], { env: podmanEnv });
  return (JSON.parse(stdout) as [{ Config: { User?: string; Env?: string[]; Entrypoint?: string[]; Labels?: Record<string, string> } }])[0];
}

/** The /app directory of an image: one esbuild bundle per entrypoint, and the native modules bundles cannot hold. */
import { build, version, type BuildOptions } from "esbuild";
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { entrypointsOf, processCommand, type ImageName } from "./entrypoints.js";
import { imagesCache, repoRoot } from "./tools.js";

/** MongoDB driver extras loaded only when configured (Kerberos, compression, client-side encryption, AWS auth). */
const OPTIONAL = ["kerberos", "@mongodb-js/zstd", "snappy", "aws4", "mongodb-client-encryption", "@aws-sdk/credential-providers", "gcp-metadata"];

/**
 * Native modules stay out of the bundles: esbuild cannot inline a .node file, and argon2 finds its prebuilt
 * binary from its own directory (node-gyp-build(__dirname), and an ESM bundle has no __dirname). These files of
 * them, and of what they require at run time, go to /app/node_modules, where node resolves the bundle's import.
 * Only the linux-x64 glibc prebuild is shipped (the runtime is Debian's glibc).
 */
const NATIVE_PACKAGES: Record<string, string[]> = {
  argon2: ["package.json", "LICENSE", "argon2.cjs", "prebuilds/linux-x64/argon2.glibc.node"],
  "@phc/format": ["package.json", "license", "index.js"],
  "node-gyp-build": ["package.json", "LICENSE", "index.js", "node-gyp-build.js"],
};
const EXTERNAL_NATIVE = ["argon2"];

export async function writeApp(image: ImageName, appDir: string): Promise<void> {
  const entries = entrypointsOf(image);
  const options: BuildOptions = {
    entryPoints: Object.fromEntries(entries.map(([, e]) => [e.bundle, join(repoRoot, e.source)])),
    outExtension: { ".js": ".mjs" },
    // The flags of operator/build.ts (the operator's measured bundle), for every entrypoint.
    bundle: true,
    platform: "node",
    target: "node24",
    format: "esm",
    minify: true,
    // Maps without the sources in them: stack traces still name the .ts file and line, at less than half the size.
    sourcemap: "linked",
    sourcesContent: false,
    legalComments: "external",
    external: [...OPTIONAL, ...EXTERNAL_NATIVE],
    // CommonJS dependencies (pino, ioredis, undici) call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: "warning",
  };
  const bundles = await cachedBuild(image, options);
  cpSync(bundles, appDir, { recursive: true });
  if (image !== "control-plane") return;
  copyNativePackages(join(appDir, "node_modules"));
  // `podman run IMAGE` without a command: say what the commands are instead of starting a node REPL.
  const usage = entries.map(([name]) => `  ${name.padEnd(15)} ${processCommand(name).join(" ")}`).join("\n");
  writeFileSync(
    join(appDir, "help.mjs"),
    `console.error(${JSON.stringify(`give the process to run as the command (the entrypoint is node):\n${usage}`)});\nprocess.exitCode = 64;\n`,
  );
}

/**
 * esbuild's output for these options, from the cache when no input changed: the four control-plane bundles take
 * 5-12 s on this shared 2-core machine, hashing their ~2,000 inputs (from the last build's metafile) well under one.
 * Unsound only for a file esbuild reads without listing it (package.json files): a dependency change changes
 * the dependency's files too.
 */
async function cachedBuild(image: ImageName, options: BuildOptions): Promise<string> {
  const dir = join(imagesCache, "bundles");
  const recordFile = join(dir, `${image}.json`);
  const optionsHash = createHash("sha256").update(JSON.stringify({ options, esbuild: version })).digest("hex");
  const inputsHash = (inputs: string[]) => {
    const h = createHash("sha256").update(optionsHash);
    for (const input of inputs) h.update(`${input}\0`).update(readFileSync(join(repoRoot, input)));
    return h.digest("hex").slice(0, 16);
  };
  try {
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as { inputs: string[]; hash: string };
    const out = join(dir, `${image}-${record.hash}`);
    if (existsSync(out) && inputsHash(record.inputs) === record.hash) return out;
  } catch {
    // no record yet, or an input is gone: build
  }
  // Written inside the clone (dist/ is ignored) at a fixed depth, so the maps' relative source paths do not
  // depend on where the clone or the cache is: from /app in the image they read /api/main.ts and so on.
  const tmp = join(repoRoot, "dist", "images", `${image}-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const result = await build({ ...options, outdir: tmp, absWorkingDir: repoRoot, metafile: true });
  const inputs = Object.keys(result.metafile.inputs).sort();
  const hash = inputsHash(inputs);
  mkdirSync(dir, { recursive: true });
  for (const old of readdirSync(dir).filter((d) => d.startsWith(`${image}-`))) rmSync(join(dir, old), { recursive: true, force: true });
  cpSync(tmp, join(dir, `${image}-${hash}`), { recursive: true });
  rmSync(tmp, { recursive: true, force: true });
  writeFileSync(recordFile, JSON.stringify({ inputs, hash }));
  return join(dir, `${image}-${hash}`);
}

function copyNativePackages(nodeModules: string): void {
  const require = createRequire(join(repoRoot, "package.json"));
  for (const [name, files] of Object.entries(NATIVE_PACKAGES)) {
    const from = dirname(require.resolve(`${name}/package.json`));
    for (const file of files) {
      const to = join(nodeModules, name, file);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(join(from, file), to);
    }
  }
}

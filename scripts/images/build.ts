/**
 * Builds the project's container images into the local podman store and exports each as an OCI layout, without
 * a registry:
 *   npm run build:images          (scripts/images/build.cli.ts)
 *
 *   debian-builder  mmdebstrap rootfs (ffmpeg, CA bundle), a build stage only    images/runtime/closure.sh
 *   node-runtime    node + its libraries, CA bundle, uid 10001, no shell          images/runtime/Containerfile
 *   transcoder      runtime + ffmpeg/ffprobe closure + the task bundle           images/transcoder/Containerfile
 *   control-plane   runtime + operator, bridge, API, upload-webhook bundles      images/control-plane/Containerfile
 *
 * Everything lands in the cache dir, outside the clone: the OCI layout is ${XDG_CACHE_HOME:-~/.cache}/transcode-cp/images/oci.
 * Each image is tagged with a key that hashes all it is made of (Containerfile, staged context, base images,
 * labels): a run whose key is in the store and exported rebuilds and exports nothing. The bundles are part of
 * that key; esbuild runs again only when one of their inputs changed (bundle.ts).
 */
import { createHash } from "node:crypto";
import { copyFileSync, cpSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { writeApp } from "./bundle.js";
import { NODE_VERSION, ensureBuilder, ensureNodeBinary } from "./debian.js";
import type { ImageName } from "./entrypoints.js";
import { OCI_LAYOUT, exportOci, imageSizes, ociManifest, pruneLayout, type ImageSizes } from "./oci.js";
import { imageExists, imagesCache, output, repoRoot, run, settings } from "./tools.js";

export interface BuiltImage {
  name: string;
  /** localhost/transcode-cp/NAME:VERSION-KEY in the podman store. */
  ref: string;
  /** The image in the OCI layout, as skopeo names it: oci:DIR:NAME-VERSION-KEY. */
  oci: string;
  built: boolean;
  sizes: ImageSizes;
}

export type { ImageSizes } from "./oci.js";

export interface BuildResult {
  images: Record<"runtime" | ImageName, BuiltImage>;
  packages: string;
}

const PACKAGE = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; version: string; repository?: { url?: string } };
const logDir = join(settings.TESTENV_CACHE, "logs", "images");
const closureSh = join(repoRoot, "images/runtime/closure.sh");

interface ImageDef {
  containerfile: string;
  title: string;
  description: string;
  /** Writes the build context (the Containerfile stays in the repository). */
  stage(ctx: string, node: string): void | Promise<void>;
}

/**
 * Every image, in build order (the runtime first: the others start FROM it). Title and description are set here
 * rather than in the Containerfiles: buildah copies a base image's manifest annotations into the image built on
 * it, so each image must set every key itself or it would carry the runtime's title.
 */
const IMAGES: Record<"node-runtime" | ImageName, ImageDef> = {
  "node-runtime": {
    containerfile: "images/runtime/Containerfile",
    title: "transcode-cp node runtime",
    description: "the official Node binary and the libraries it links, without a shell: the base of every image",
    stage(ctx, node) {
      stageFile(node, join(ctx, "node"));
      stageFile(closureSh, join(ctx, "closure.sh"));
      cpSync(join(repoRoot, "images/runtime/etc"), join(ctx, "etc"), { recursive: true });
    },
  },
  transcoder: {
    containerfile: "images/transcoder/Containerfile",
    title: "transcode-cp transcoder",
    description: "one attempt of one TranscodeJob: S3 source, one ffmpeg pass, HLS + MP4 + poster to S3, result to Redis",
    async stage(ctx) {
      stageFile(closureSh, join(ctx, "closure.sh"));
      await writeApp("transcoder", join(ctx, "app"));
    },
  },
  "control-plane": {
    containerfile: "images/control-plane/Containerfile",
    title: "transcode-cp control plane",
    description: "the operator, the Redis-stream bridge, the REST API and the upload webhook (one command each)",
    stage: (ctx) => writeApp("control-plane", join(ctx, "app")),
  },
};

/** Builds what is missing; returns every image's reference, OCI layout and sizes. */
export async function buildImages(): Promise<BuildResult> {
  const t0 = Date.now();
  // One run's logs (each step appends to its own file).
  rmSync(logDir, { recursive: true, force: true });
  await run("install the container tools", join(logDir, "install.log"), "bash", [join(repoRoot, "scripts/testenv/install.sh"), "containers"]);
  const [builder, node] = await Promise.all([ensureBuilder(logDir), ensureNodeBinary(logDir)]);
  step(`debian builder ${builder.built ? "built" : "cached"}: ${builder.ref}`, t0);
  const staging = join(imagesCache, `context-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const ensure = (name: keyof typeof IMAGES, buildArgs: Record<string, string>, labels: Record<string, string>) =>
      ensureImage(name, IMAGES[name], { ctx: join(staging, name), node, buildArgs, labels });
    // The runtime carries no revision: its key, and so the layer every image shares, changes only with its inputs.
    const runtime = await ensure("node-runtime", { BUILDER: builder.ref }, { "org.opencontainers.image.version": NODE_VERSION });
    const args = { BUILDER: builder.ref, RUNTIME: runtime.ref };
    const oci = await ociMetadata();
    const [transcoder, controlPlane] = await Promise.all([ensure("transcoder", args, oci), ensure("control-plane", args, oci)]);
    // After the builds, one at a time: a prune lists every image in the store, and fails on one removed meanwhile.
    for (const name of Object.keys(IMAGES) as (keyof typeof IMAGES)[]) {
      await pruneOlder(name, IMAGES[name].title).catch((err: unknown) => console.error(`[images] pruning old ${name} images failed (ignored): ${String(err)}`));
    }
    step(`all images ready (Node ${NODE_VERSION}; Debian ${builder.packages})`, t0);
    return { images: { runtime, transcoder, "control-plane": controlPlane }, packages: builder.packages };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

async function ociMetadata(): Promise<Record<string, string>> {
  const git = (args: string[]) => output("git", ["-C", repoRoot, ...args], process.env).then((s) => s.trim(), () => "");
  const [revision, dirty, created, origin] = await Promise.all([
    git(["rev-parse", "HEAD"]),
    git(["status", "--porcelain"]),
    git(["log", "-1", "--format=%cI"]),
    git(["remote", "get-url", "origin"]),
  ]);
  // The repository has neither a remote nor a package.json "repository" yet; IMAGE_SOURCE wins over both.
  const source = process.env.IMAGE_SOURCE || origin || PACKAGE.repository?.url || PACKAGE.name;
  return {
    "org.opencontainers.image.source": source,
    // A build from a working tree with changes is not the commit: say so.
    "org.opencontainers.image.revision": revision ? `${revision}${dirty ? "-dirty" : ""}` : "unknown",
    "org.opencontainers.image.version": PACKAGE.version,
    // The commit's time, not the build's, so that a rebuild of one commit has one key.
    ...(created ? { "org.opencontainers.image.created": created } : {}),
    "org.opencontainers.image.licenses": "Apache-2.0",
  };
}

async function ensureImage(
  name: string,
  def: ImageDef,
  o: { ctx: string; node: string; buildArgs: Record<string, string>; labels: Record<string, string> },
): Promise<BuiltImage> {
  const t0 = Date.now();
  mkdirSync(o.ctx, { recursive: true });
  await def.stage(o.ctx, o.node);
  const file = join(repoRoot, def.containerfile);
  const labels: Record<string, string> = { ...o.labels, "org.opencontainers.image.title": def.title, "org.opencontainers.image.description": def.description };
  const version = labels["org.opencontainers.image.version"] ?? "0";
  const key = createHash("sha256")
    .update(readFileSync(file))
    .update(JSON.stringify({ buildArgs: o.buildArgs, labels }))
    .update(treeHash(o.ctx))
    .digest("hex")
    .slice(0, 12);
  const tag = `${version}-${key}`;
  const ref = `localhost/transcode-cp/${name}:${tag}`;
  const ociRef = `${name}-${tag}`;
  const log = join(logDir, `${name}.log`);
  let built = false;
  if (!(await imageExists(ref))) {
    const flags = Object.entries(o.buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
    // Labels go into the image config (podman inspect), annotations into the OCI manifest: both, from one list.
    for (const [k, v] of Object.entries(labels)) flags.push("--label", `${k}=${v}`, "--annotation", `${k}=${v}`);
    // --network none: every RUN is a copy inside the builder, nothing is downloaded at build time.
    await run(`podman build ${name}`, log, "podman", [
      "build", "--pull=never", "--layers", "--network=none", "--format=oci", "-f", file,
      "-t", ref, "-t", `localhost/transcode-cp/${name}:${version}`, ...flags, o.ctx,
    ]);
    built = true;
  }
  if (!ociManifest(ociRef)) {
    await exportOci(ref, ociRef, log);
    built = true;
  }
  const sizes = await imageSizes(ociRef);
  step(`${name} ${built ? "built" : "cached"}: ${ref}`, t0);
  return { name, ref, oci: `oci:${OCI_LAYOUT}:${ociRef}`, built, sizes };
}

/** The newest KEEP keys of each image stay, in the store and in the layout: the cache would grow by an image per commit. */
const KEEP = 3;

/** Drops all but the newest KEEP keys of an image from the store and from the OCI layout. */
async function pruneOlder(name: string, title: string): Promise<void> {
  const stored = JSON.parse(await output("podman", ["images", "--format=json", `--filter=reference=localhost/transcode-cp/${name}`])) as {
    Id: string;
    Names?: string[];
    Created: number;
  }[];
  const byId = new Map(stored.map((i) => [i.Id, i]));
  const stale = [...byId.values()].sort((a, b) => b.Created - a.Created).slice(KEEP);
  // Untagging is enough: podman keeps layers that a newer image still uses.
  for (const tag of stale.flatMap((i) => i.Names ?? [])) await output("podman", ["untag", tag]).catch(() => undefined);
  // Images left without a tag: the stale ones, and earlier builds of a key whose moving tag (:VERSION) moved on.
  // Only those carrying this image's title are ours to remove.
  await output("podman", ["image", "prune", "--force", `--filter=label=org.opencontainers.image.title=${title}`]);
  await pruneLayout(`${name}-`, KEEP);
}

/** Hard-links a cached file into the context (the node binary is 126 MB); copies across filesystems. */
function stageFile(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

/** Every file's path, mode and content under dir, in a stable order. */
function treeHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      h.update(`${relative(dir, p)}\0${statSync(p).mode}\0`);
      if (entry.isDirectory()) walk(p);
      else h.update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex");
}

function step(what: string, since: number): void {
  console.error(`[images] ${what} (${((Date.now() - since) / 1000).toFixed(1)} s)`);
}

export function formatSizes(result: BuildResult): string {
  const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
  const rows = Object.values(result.images).map(
    (i) => `  ${i.name.padEnd(14)} ${mb(i.sizes.uncompressed).padStart(10)} ${mb(i.sizes.compressed).padStart(10)}   ${i.sizes.layers.map(mb).join(" + ")}`,
  );
  return [`  ${"image".padEnd(14)} ${"unpacked".padStart(10)} ${"gzip".padStart(10)}   layers (gzip)`, ...rows].join("\n");
}

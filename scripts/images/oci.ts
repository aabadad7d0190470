/**
 * One OCI layout holds every image, each under the tag NAME-VERSION-KEY, with uncompressed layers: blobs are
 * stored once, so a layer the layout already holds (the runtime, ffmpeg) is not written again and a new commit's
 * export takes a few seconds. With gzip layers skopeo 1.9 compressed every layer again on every export (its oci
 * destination only looks blobs up by the store's uncompressed digest): 17-25 s per image here. A push to a
 * registry compresses (skopeo copy oci:... docker://...); the gzip figure below is measured the same way.
 */
import { spawn } from "node:child_process";
import { createReadStream, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { imagesCache, run } from "./tools.js";

export const OCI_LAYOUT = join(imagesCache, "oci");
const LOCK = join(imagesCache, "oci.lock");
const INDEX = join(OCI_LAYOUT, "index.json");

export interface ImageSizes {
  /** Sum of the layer tarballs (what a node unpacks). */
  uncompressed: number;
  /** Sum of the gzipped layers and the config (what a registry stores and a node pulls). */
  compressed: number;
  /** Each layer, gzipped. */
  layers: number[];
}

interface Descriptor {
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

interface Index {
  manifests: Descriptor[];
}

/**
 * Runs fn holding the layout's lock (flock(1) on a file in the cache): index.json is rewritten by every write,
 * and a blob sweep must not see a blob skopeo has written before the index names it. Other processes (another
 * worktree's build) wait.
 */
async function withLock<T>(fn: () => T | Promise<T>): Promise<T> {
  mkdirSync(OCI_LAYOUT, { recursive: true });
  // flock holds the lock while its child runs; the child says when it has it and exits when stdin closes.
  const holder = spawn("flock", ["--exclusive", LOCK, "sh", "-c", "echo locked; read _"], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    holder.once("error", reject);
    holder.once("exit", (code) => reject(new Error(`flock ${LOCK} exited ${code}`)));
    holder.stdout.once("data", () => resolve());
  });
  holder.removeAllListeners("exit");
  try {
    return await fn();
  } finally {
    const exited = new Promise((r) => holder.once("exit", r));
    holder.stdin.end();
    await exited;
  }
}

export async function exportOci(ref: string, ociRef: string, log: string): Promise<void> {
  await withLock(() =>
    run(`export ${ref}`, log, "skopeo", ["copy", "--quiet", "--dest-oci-accept-uncompressed-layers", `containers-storage:${ref}`, `oci:${OCI_LAYOUT}:${ociRef}`]),
  );
}

/**
 * Drops all but the newest `keep` tags starting with `prefix` (skopeo appends to the index, so the newest are
 * last), then every blob no tag reaches. A few lines instead of umoci rm + gc: umoci gc reads every blob and took
 * 15 s here for 400 MB.
 */
export async function pruneLayout(prefix: string, keep: number): Promise<void> {
  await withLock(() => {
    const index = readIndex();
    const ours = index.manifests.filter((m) => refName(m).startsWith(prefix));
    const drop = new Set(ours.slice(0, Math.max(0, ours.length - keep)));
    if (!drop.size) return;
    const kept = index.manifests.filter((m) => !drop.has(m));
    writeFileSync(`${INDEX}.tmp`, JSON.stringify({ ...index, manifests: kept }));
    renameSync(`${INDEX}.tmp`, INDEX);
    const reachable = new Set<string>();
    for (const m of kept) {
      reachable.add(m.digest);
      const manifest = readManifest(m.digest);
      for (const d of [manifest.config, ...manifest.layers]) reachable.add(d.digest);
    }
    const dir = join(OCI_LAYOUT, "blobs", "sha256");
    for (const hex of readdirSync(dir)) if (!reachable.has(`sha256:${hex}`)) rmSync(join(dir, hex), { force: true });
  });
}

function readIndex(): Index {
  try {
    return JSON.parse(readFileSync(INDEX, "utf8")) as Index;
  } catch {
    return { manifests: [] };
  }
}

function refName(d: Descriptor): string {
  return d.annotations?.["org.opencontainers.image.ref.name"] ?? "";
}

function blobPath(digest: string): string {
  return join(OCI_LAYOUT, "blobs", ...digest.split(":"));
}

function readManifest(digest: string): { config: Descriptor; layers: Descriptor[] } {
  return JSON.parse(readFileSync(blobPath(digest), "utf8")) as { config: Descriptor; layers: Descriptor[] };
}

export function ociManifest(ociRef: string): { config: Descriptor; layers: Descriptor[] } | undefined {
  const entry = readIndex().manifests.find((m) => refName(m) === ociRef);
  return entry && readManifest(entry.digest);
}

export async function imageSizes(ociRef: string): Promise<ImageSizes> {
  const manifest = ociManifest(ociRef);
  if (!manifest) throw new Error(`${ociRef} is not in ${OCI_LAYOUT}`);
  const layers = await Promise.all(manifest.layers.map(gzipSize));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return { uncompressed: sum(manifest.layers.map((l) => l.size)), compressed: manifest.config.size + sum(layers), layers };
}

const GZIP_SIZES = join(imagesCache, "gzip-sizes.json");

function readGzipSizes(): Record<string, number> {
  try {
    return JSON.parse(readFileSync(GZIP_SIZES, "utf8")) as Record<string, number>;
  } catch {
    return {};
  }
}

/** A layer's size once gzipped (level 6, as registries receive it from skopeo/podman push), cached by digest. */
async function gzipSize(layer: Descriptor): Promise<number> {
  const known = readGzipSizes()[layer.digest];
  if (known !== undefined) return known;
  let size = 0;
  await pipeline(createReadStream(blobPath(layer.digest)), createGzip({ level: 6 }), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) size += chunk.length;
  });
  // Read again right before writing: another layer's measurement may have landed meanwhile.
  writeFileSync(GZIP_SIZES, JSON.stringify({ ...readGzipSizes(), [layer.digest]: size }));
  return size;
}

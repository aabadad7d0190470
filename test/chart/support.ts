/** Running the real helm, kubectl and kube-score on the chart, and reading what they render. */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments, stringify } from "yaml";
import { CHART_DIR, repoRoot } from "../../scripts/chart/render.js";
import type { ChartValues } from "../../scripts/chart/values.js";
import { binaries, versions } from "../../stack/versions.js";

const execFileP = promisify(execFile);

export const CHART = join(repoRoot, CHART_DIR);

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws for a non-zero exit (the caller asserts on it). */
export async function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP(command, args, { env, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? String(err) };
  }
}

/** run() that throws with the output when the command fails. */
export async function ok(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(command, args, env);
  if (r.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${r.code}:\n${r.stderr}\n${r.stdout}`.slice(0, 8000));
  return r.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), "tcp-chart-test-"));
let files = 0;

/** A values file holding `values` (YAML, as a user writes it). */
export function valuesFile(values: ChartValues | Record<string, unknown>): string {
  const file = join(scratch, `values-${++files}.yaml`);
  writeFileSync(file, stringify(values));
  return file;
}

/** helm with the test environment's kubeconfig (when given); HOME-independent config and cache dirs. */
export function helm(args: string[], kubeconfig?: string): Promise<Run> {
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: join(scratch, "helm-config"),
    HELM_CACHE_HOME: join(scratch, "helm-cache"),
    HELM_DATA_HOME: join(scratch, "helm-data"),
    ...(kubeconfig ? { KUBECONFIG: kubeconfig } : {}),
  };
  return run(binaries.helm, args, env);
}

/** The Kubernetes version client-side renders assume (helm's built-in default is older than the chart's kubeVersion). */
export const KUBE_VERSION = versions.kube;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export function parseObjects(yamlText: string): K8sObject[] {
  return parseAllDocuments(yamlText)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

/** helm template of the chart with these values files: the manifest text, throwing on a refusal. */
export async function template(valueFiles: string[], o: { release?: string; namespace?: string; set?: string[] } = {}): Promise<string> {
  const r = await helm([
    "template",
    o.release ?? "tcp",
    CHART,
    "--namespace",
    o.namespace ?? "transcode-system",
    "--kube-version",
    KUBE_VERSION,
    ...valueFiles.flatMap((f) => ["-f", f]),
    ...(o.set ?? []).flatMap((s) => ["--set", s]),
  ]);
  if (r.code !== 0) throw new Error(`helm template failed:\n${r.stderr}`);
  return r.stdout;
}

export function find<T = K8sObject>(objects: K8sObject[], kind: string, name: string): T {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind}/${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(", ")}`);
  return o as T;
}

/**
 * kubectl with its discovery cache in this run's scratch dir: ~/.kube/cache outlives clusters whose ports repeat, and
 * a cache from before a CRD was installed makes `auth can-i` answer "no" for its resources (`refreshDiscovery`).
 */
export function kubectl(kubeconfig: string, args: string[]): Promise<Run> {
  return run(binaries.kubectl, ["--kubeconfig", kubeconfig, `--cache-dir=${join(scratch, "kubectl-cache")}`, ...args]);
}

/** kubectl api-resources rereads discovery into the cache (after a CRD is installed). */
export async function refreshDiscovery(kubeconfig: string): Promise<void> {
  const r = await kubectl(kubeconfig, ["api-resources", "-o", "name"]);
  if (r.code !== 0) throw new Error(`kubectl api-resources: ${r.stderr}`);
}

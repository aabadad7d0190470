// Test helpers for the crds suites: clients on the test apiserver, a namespace per suite, kubectl, error details.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../crds/index.js";
import { testEnv } from "../env/index.js";

const run = promisify(execFile);

export function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kube.kubeconfigPath);
  return kc;
}

export const customObjects = () => kubeConfig().makeApiClient(CustomObjectsApi);
export const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await kubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  // No controller-manager runs, so the namespace stays Terminating; deleting it is still the honest cleanup.
  await kubeConfig().makeApiClient(CoreV1Api).deleteNamespace({ name }).catch(() => undefined);
}

export const ref = (namespace: string) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace });

export async function kubectl(...args: string[]): Promise<string> {
  const { kube } = testEnv();
  const { stdout } = await run(kube.kubectl, ["--kubeconfig", kube.kubeconfigPath, ...args], { timeout: 30_000 });
  return stdout;
}

/** kubectl with a manifest on stdin; resolves with the exit code and both streams, never rejects on exit code. */
export function kubectlWithInput(input: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { kube } = testEnv();
  return new Promise((resolve, reject) => {
    const child = spawn(kube.kubectl, ["--kubeconfig", kube.kubeconfigPath, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The apiserver's rejection, reduced to what a user sees: status code, message and the fields it names. */
export interface Rejection {
  code: number;
  message: string;
  fields: string[];
}

export async function rejection(p: Promise<unknown>): Promise<Rejection> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = (typeof err.body === "string" ? JSON.parse(err.body) : err.body) as {
      message?: string;
      details?: { causes?: { field?: string; message?: string }[] };
    };
    return {
      code: err.code,
      message: body.message ?? "",
      fields: (body.details?.causes ?? []).map((c) => c.field ?? "").filter((f) => f !== ""),
    };
  }
  throw new Error("expected the apiserver to reject the request, it accepted it");
}

export const tj = (name: string, spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: "TranscodeJob",
  metadata: { name },
  spec,
  ...extra,
});

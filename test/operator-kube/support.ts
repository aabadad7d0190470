// Helpers for the operator-kube suites: clients on the test apiserver, a namespace per suite, a TCP proxy
// that injects real network faults between a client and the apiserver, and a TranscodeJob to create.
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { applyCrd } from "../../lib/kube/index.js";
import { API_VERSION, KIND, type TranscodeJob } from "../../crds/index.js";
import { testEnv } from "../env/index.js";
import { FaultProxy } from "../support/fault-proxy.js";

export function adminKubeConfig(server?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kube.kubeconfigPath);
  return server ? withServer(kc, server) : kc;
}

export function userKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testEnv().kube.userKubeconfigPath);
  return kc;
}

/** The same credentials pointed at another address (the fault-injecting proxy). */
function withServer(kc: KubeConfig, server: string): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error("kubeconfig without cluster");
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.clusters.map((c) => (c.name === cluster.name ? { ...c, server } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return out;
}

let crdReady: Promise<unknown> | undefined;
export function ensureCrd(): Promise<unknown> {
  crdReady ??= applyCrd(adminKubeConfig());
  return crdReady;
}

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString("hex")}`;
  await adminKubeConfig().makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  // No controller-manager runs, so the namespace stays Terminating; deleting it is still the honest cleanup.
  await adminKubeConfig()
    .makeApiClient(CoreV1Api)
    .deleteNamespace({ name })
    .catch(() => undefined);
}

export function newJob(namespace: string, name: string, labels: Record<string, string> = {}): TranscodeJob {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { namespace, name, labels },
    spec: {
      source: { bucket: "uploads", key: `uploads/alice/${name}/in.mov` },
      output: { bucket: "outputs", prefix: `outputs/alice/${name}/` },
    },
  } as unknown as TranscodeJob;
}

export { FaultProxy };

/** A fault proxy in front of this run's apiserver. */
export function apiserverProxy(): FaultProxy {
  return FaultProxy.to(testEnv().kube.server);
}

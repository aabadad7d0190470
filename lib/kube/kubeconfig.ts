import { KubeConfig } from "@kubernetes/client-node";

/**
 * A KubeConfig from an explicit file (tests, the embedded mode) or client-node's default chain
 * (KUBECONFIG, ~/.kube/config, then the in-cluster service account). The path comes from the caller's
 * validated config, never read from the environment here.
 */
export function loadKubeConfig(kubeconfigPath?: string): KubeConfig {
  const kc = new KubeConfig();
  if (kubeconfigPath) kc.loadFromFile(kubeconfigPath);
  else kc.loadFromDefault();
  if (!kc.getCurrentCluster()) throw new Error("kubeconfig has no current cluster");
  return kc;
}

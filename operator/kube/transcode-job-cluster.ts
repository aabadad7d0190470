import type { KubeConfig } from "@kubernetes/client-node";
import { FINALIZER, GROUP, KIND, PLURAL, VERSION, type TranscodeJob, type TranscodeJobStatus } from "../../crds/index.js";
import { KubeCluster, type KubeClusterOptions } from "./cluster.js";
import type { Cluster } from "./types.js";

export type TranscodeJobCluster = Cluster<TranscodeJob, TranscodeJobStatus>;

/** The Cluster port bound to TranscodeJobs (the TranscodeJob resource, crds/), with the cleanup finalizer as default. */
export function createTranscodeJobCluster(kubeConfig: KubeConfig, options: Omit<KubeClusterOptions, "finalizer"> = {}): TranscodeJobCluster {
  return new KubeCluster<TranscodeJob, TranscodeJobStatus>(kubeConfig, { group: GROUP, version: VERSION, plural: PLURAL, kind: KIND }, { finalizer: FINALIZER, ...options });
}

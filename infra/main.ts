// The Pulumi program of this project's stack (Pulumi.yaml `main`): the whole platform from stack config.
import { loadStackConfig } from "./config.js";
import { transcodePlatform } from "./program.js";

const p = transcodePlatform(loadStackConfig());

export const uploadsBucket = p.storage.uploadsBucketName;
export const outputsBucket = p.storage.outputsBucketName;
export const playbackDomain = p.storage.playbackDomainName;
export const playbackKeyPairId = p.storage.playbackKeyPairId;
export const transcoderRepository = p.transcode.repositoryUrl;
export const ecsCluster = p.transcode.clusterName;
export const taskDefinition = p.transcode.taskDefinitionArn;
export const uploadTrigger = p.trigger.functionName;
export const deadLetterQueue = p.trigger.deadLetterQueueUrl;
export const kubeconfig = p.cluster.kubeconfig;
export const release = p.release.releaseStatus;

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowClient } from "./components/client-access.js";
import { ControlPlaneCluster } from "./components/control-plane-cluster.js";
import { ControlPlaneRelease } from "./components/control-plane-release.js";
import { Data } from "./components/data.js";
import { Storage } from "./components/storage.js";
import { TranscodeCluster } from "./components/transcode-cluster.js";
import { UploadTrigger } from "./components/upload-trigger.js";
import { VpcEndpoints } from "./components/vpc-endpoints.js";
import type { StackConfig } from "./config.js";
import { controlPlaneValues } from "./wiring.js";

/**
 * The whole platform in one stack, composed from the components the way a platform team would compose them in
 * its own program. `cfg` comes from loadStackConfig() (index.ts of the Pulumi project) or from a test.
 */
export function transcodePlatform(cfg: StackConfig, prefix = "tcp") {
  const tags = { "app.kubernetes.io/part-of": "transcode-control-plane", stack: pulumi.getStack() };
  const net = cfg.network;
  const storage = new Storage(prefix, { ...cfg.storage, tags });
  const endpoints =
    net.routeTableIds === undefined
      ? undefined
      : new VpcEndpoints(prefix, { vpcId: net.vpcId, subnetIds: net.privateSubnetIds, routeTableIds: net.routeTableIds, tags });
  const data = new Data(prefix, { ...cfg.data, vpcId: net.vpcId, subnetIds: net.privateSubnetIds, kmsKeyArn: cfg.storage.kmsKeyArn, tags });
  const redis = { redisSecurityGroupId: data.redisSecurityGroupId, redisPort: data.redisPort };
  const transcode = new TranscodeCluster(prefix, {
    ...cfg.transcode,
    ...redis,
    uploadsBucketArn: storage.uploadsBucketArn,
    uploadsPrefix: storage.uploadsPrefix,
    outputsBucketArn: storage.outputsBucketArn,
    outputsPrefix: storage.outputsPrefix,
    vpcId: net.vpcId,
    subnetIds: net.privateSubnetIds,
    redisUrlSecret: data.redisUrlSecret("task"),
    bucketsKmsKeyArn: cfg.storage.kmsKeyArn,
    endpoints: endpoints?.ref,
    tags,
  });
  const trigger = new UploadTrigger(prefix, {
    ...cfg.trigger,
    ...redis,
    uploadsBucketName: storage.uploadsBucketName,
    uploadsBucketArn: storage.uploadsBucketArn,
    uploadsPrefix: storage.uploadsPrefix,
    vpcId: net.vpcId,
    subnetIds: net.privateSubnetIds,
    redisUrlSecret: data.redisUrlSecret("lambda"),
    endpoints: endpoints?.ref,
    tags,
  });
  const cluster = new ControlPlaneCluster(prefix, {
    ...cfg.controlPlane,
    subnetIds: net.privateSubnetIds,
    ecsClusterArn: transcode.clusterArn,
    ecsClusterName: transcode.clusterName,
    taskDefinitionFamily: transcode.taskDefinitionFamily,
    taskRoleArn: transcode.taskRoleArn,
    executionRoleArn: transcode.executionRoleArn,
    uploadsBucketArn: storage.uploadsBucketArn,
    uploadsPrefix: storage.uploadsPrefix,
    outputsBucketArn: storage.outputsBucketArn,
    outputsPrefix: storage.outputsPrefix,
    bucketsKmsKeyArn: cfg.storage.kmsKeyArn,
    tags,
  });
  // The pods reach Redis and MongoDB from the created cluster's security group, or the one configured.
  const podSg = cluster.clusterSecurityGroupId ?? cfg.controlPlane.podSecurityGroupId;
  if (podSg !== undefined) {
    const client = { clientSecurityGroupId: podSg, description: "control-plane pods" };
    allowClient(`${prefix}-pods-redis`, { ...client, serverSecurityGroupId: data.redisSecurityGroupId, port: data.redisPort });
    allowClient(`${prefix}-pods-mongo`, { ...client, serverSecurityGroupId: data.mongoSecurityGroupId, port: data.mongoPort });
  }
  const release = new ControlPlaneRelease(
    prefix,
    {
      chartPath: cfg.release.chartPath,
      namespace: cluster.namespace,
      createNamespace: true,
      values: controlPlaneValues(
        { storage, transcode, cluster },
        { ...cfg.release, region: aws.getRegionOutput().region, mongoDatabase: data.mongoDatabase },
      ),
      secrets: {
        operator: { MONGODB_URL: data.mongoUrlSecret, REDIS_URL: data.redisUrlSecret("operator") },
        bridge: { REDIS_URL: data.redisUrlSecret("bridge") },
        api: { MONGODB_URL: data.mongoUrlSecret, REDIS_URL: data.redisUrlSecret("api"), API_SESSION_KEYS: cfg.release.sessionKeysSecret },
      },
    },
    { providers: { kubernetes: cluster.provider } },
  );
  return { storage, endpoints, data, transcode, trigger, cluster, release };
}

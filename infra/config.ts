import * as pulumi from "@pulumi/pulumi";
import type { ImageValues } from "./components/release-values.js";
import { REDIS_CLIENTS, type RedisClient, type SecretRef } from "./types.js";

/**
 * The stack's settings (`pulumi config set transcode:<key>`), read once here; the components take typed Args and
 * never read config themselves, so a platform team can import them into its own program instead.
 */
export function loadStackConfig() {
  const c = new pulumi.Config("transcode");
  const ref = (key: string): SecretRef => ({ arn: c.require(key) });
  const optionalRef = (key: string): SecretRef | undefined => (c.get(key) === undefined ? undefined : ref(key));
  const image = (key: string): ImageValues => c.requireObject<ImageValues>(key);
  const redisMode = c.get<"create" | "existing">("redisMode") ?? "create";
  return {
    network: {
      vpcId: c.require("vpcId"),
      privateSubnetIds: c.requireObject<string[]>("privateSubnetIds"),
      /** Route tables of the private subnets; with them the program creates VPC endpoints and needs no NAT for AWS. */
      routeTableIds: c.getObject<string[]>("routeTableIds"),
    },
    storage: {
      consoleOrigins: c.requireObject<string[]>("consoleOrigins"),
      cloudFront: c.getBoolean("cloudFront") ?? false,
      playbackPublicKeyPem: c.get("playbackPublicKeyPem"),
      uploadExpirationDays: c.getNumber("uploadExpirationDays"),
      kmsKeyArn: c.get("kmsKeyArn"),
    },
    data: {
      redisMode,
      mongoMode: c.get<"create" | "existing">("mongoMode") ?? "create",
      redisNodeType: c.get("redisNodeType"),
      redisNodes: c.getNumber("redisNodes"),
      mongoInstanceClass: c.get("mongoInstanceClass"),
      mongoInstances: c.getNumber("mongoInstances"),
      deletionProtection: c.getBoolean("deletionProtection"),
      existingRedisUrlSecrets:
        redisMode === "existing"
          ? (Object.fromEntries(REDIS_CLIENTS.map((client) => [client, ref(`existingRedisUrlSecret.${client}`)])) as Record<RedisClient, SecretRef>)
          : undefined,
      existingRedisSecurityGroupId: c.get("existingRedisSecurityGroupId"),
      existingMongoUrlSecret: optionalRef("existingMongoUrlSecret"),
      existingMongoSecurityGroupId: c.get("existingMongoSecurityGroupId"),
    },
    transcode: {
      imageTag: c.require("transcoderImageTag"),
      allowDeleteSource: c.getBoolean("allowDeleteSource") ?? false,
      cpu: c.getNumber("taskCpu"),
      memory: c.getNumber("taskMemory"),
      ephemeralStorageGiB: c.getNumber("taskEphemeralStorageGiB"),
    },
    trigger: { secretsExtensionLayerArn: c.require("secretsExtensionLayerArn"), alarmTopicArn: c.get("alarmTopicArn"), bundleDir: c.get("lambdaBundleDir") },
    controlPlane: {
      mode: c.get<"existing" | "create">("controlPlaneMode") ?? "create",
      kubeconfig: c.getSecret("kubeconfig"),
      workloadIdentity: c.get<"pod-identity" | "irsa">("workloadIdentity"),
      clusterName: c.get("eksClusterName"),
      oidcProviderArn: c.get("oidcProviderArn"),
      oidcIssuerUrl: c.get("oidcIssuerUrl"),
      /** existing cluster: the security group its pods reach Redis and MongoDB from. */
      podSecurityGroupId: c.get("podSecurityGroupId"),
      nodeInstanceType: c.get("nodeInstanceType"),
      nodeCount: c.getNumber("nodeCount"),
    },
    release: {
      chartPath: c.get("chartPath") ?? "../charts/transcode-control-plane",
      images: { operator: image("operatorImage"), bridge: image("bridgeImage"), api: image("apiImage") },
      sessionKeysSecret: ref("sessionKeysSecretArn"),
      maxConcurrentTasks: c.getNumber("maxConcurrentTasks") ?? 5,
      jobsNamespace: c.get("jobsNamespace") ?? "default",
      logLevel: c.get("logLevel") ?? "info",
    },
  };
}
export type StackConfig = ReturnType<typeof loadStackConfig>;

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackConfig } from "../../infra/index.js";

export const PLAYBACK_PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest\n-----END PUBLIC KEY-----\n";
export const SESSION_KEYS_ARN = "arn:aws:ssm:us-east-1:123456789012:parameter/transcode/session-keys";
export const EXTENSION_LAYER = "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:12";

/** A whole-platform config: everything created, VPC endpoints on, CloudFront on, EKS with Pod Identity. */
export function platformConfig(overrides: Partial<StackConfig> = {}): StackConfig {
  return {
    network: { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"], routeTableIds: ["rtb-a", "rtb-b"] },
    storage: {
      consoleOrigins: ["https://console.example.com"],
      cloudFront: true,
      playbackPublicKeyPem: PLAYBACK_PUBLIC_KEY,
      uploadExpirationDays: undefined,
      kmsKeyArn: undefined,
    },
    data: {
      redisMode: "create",
      mongoMode: "create",
      redisNodeType: undefined,
      redisNodes: undefined,
      mongoInstanceClass: undefined,
      mongoInstances: undefined,
      deletionProtection: undefined,
      existingRedisUrlSecrets: undefined,
      existingRedisSecurityGroupId: undefined,
      existingMongoUrlSecret: undefined,
      existingMongoSecurityGroupId: undefined,
    },
    transcode: { imageTag: "1.2.3", allowDeleteSource: true, cpu: undefined, memory: undefined, ephemeralStorageGiB: undefined },
    trigger: { secretsExtensionLayerArn: EXTENSION_LAYER, alarmTopicArn: undefined, bundleDir: mkdtempSync(join(tmpdir(), "tj-lambda-")) },
    controlPlane: {
      mode: "create",
      kubeconfig: undefined,
      workloadIdentity: "pod-identity",
      clusterName: undefined,
      oidcProviderArn: undefined,
      oidcIssuerUrl: undefined,
      podSecurityGroupId: undefined,
      nodeInstanceType: undefined,
      nodeCount: undefined,
    },
    release: {
      chartPath: "../charts/transcode-control-plane",
      images: {
        operator: { repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/operator", tag: "1.2.3" },
        bridge: { repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/operator", tag: "1.2.3" },
        api: { repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/api", tag: "1.2.3" },
      },
      sessionKeysSecret: { arn: SESSION_KEYS_ARN },
      maxConcurrentTasks: 5,
      jobsNamespace: "media",
      logLevel: "info",
    },
    ...overrides,
  };
}

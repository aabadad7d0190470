/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   the resource inputs the mocks record are untyped provider data; the assertions are the type check. */
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ofType, one, settled, valueOf } from "./mocks.js";
import { platformConfig } from "./fixture.js";
import type { RedisClient } from "../../infra/index.js";

const P = "ext";
const sm = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-XyZ123`;
const KMS = "arn:aws:kms:us-east-1:123456789012:key/buckets";
const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXISTING";

describe("infra components (Pulumi mocks): existing Redis, MongoDB and cluster; IRSA; no VPC endpoints", function () {
  this.timeout(60_000);

  before(async () => {
    const { transcodePlatform } = await import("../../infra/index.js");
    const base = platformConfig();
    const redisSecrets = Object.fromEntries(
      (["operator", "bridge", "api", "lambda", "task"] as RedisClient[]).map((c) => [c, { arn: sm(`redis-${c}`) }]),
    ) as Record<RedisClient, { arn: string }>;
    const p = transcodePlatform(
      {
        ...base,
        network: { ...base.network, routeTableIds: undefined },
        storage: { ...base.storage, cloudFront: false, playbackPublicKeyPem: undefined, kmsKeyArn: KMS },
        data: {
          ...base.data,
          redisMode: "existing",
          mongoMode: "existing",
          existingRedisUrlSecrets: redisSecrets,
          existingRedisSecurityGroupId: "sg-existing-redis",
          existingMongoUrlSecret: { arn: sm("mongodb-url") },
          existingMongoSecurityGroupId: "sg-existing-mongo",
        },
        transcode: { ...base.transcode, allowDeleteSource: false },
        controlPlane: {
          ...base.controlPlane,
          mode: "existing",
          kubeconfig: pulumi.secret("apiVersion: v1\nkind: Config\n"),
          workloadIdentity: "irsa",
          oidcProviderArn: OIDC,
          oidcIssuerUrl: "https://oidc.eks.us-east-1.amazonaws.com/id/EXISTING",
          podSecurityGroupId: "sg-pods",
        },
      },
      P,
    );
    await valueOf(p.trigger.functionArn);
    await settled();
  });

  it("creates no Redis, DocumentDB, EKS cluster, VPC endpoint or CloudFront distribution", () => {
    for (const type of [
      "aws:elasticache/replicationGroup:ReplicationGroup",
      "aws:docdb/cluster:Cluster",
      "aws:eks/cluster:Cluster",
      "aws:ec2/vpcEndpoint:VpcEndpoint",
      "aws:cloudfront/distribution:Distribution",
      "random:index/randomPassword:RandomPassword",
    ])
      assert.deepEqual(ofType(type, P), [], type);
  });

  it("the task definition references the given task secret; the Lambda the given lambda secret", () => {
    const [c] = JSON.parse(one("aws:ecs/taskDefinition:TaskDefinition", `${P}-transcoder`).inputs.containerDefinitions);
    assert.deepEqual(c.secrets, [{ name: "TJ_REDIS_URL", valueFrom: sm("redis-task") }]);
    assert.equal(one("aws:lambda/function:Function", `${P}-upload-trigger`).inputs.environment.variables.TJ_REDIS_URL_SECRET_ID, sm("redis-lambda"));
  });

  it("without allowDeleteSource the task cannot delete sources", () => {
    const policy = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", `${P}-task`).inputs.policy);
    const deletes = policy.Statement.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith("s3:Delete")));
    assert.deepEqual(deletes.map((s: { Resource: string[] }) => s.Resource), [[`arn:aws:s3:::${P}-outputs-bucket/outputs/*`]]);
  });

  it("SSE-KMS buckets: default encryption with the key, and the task and API roles may use it", () => {
    const sse = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${P}-uploads`).inputs;
    assert.deepEqual(sse.rules[0], { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: KMS }, bucketKeyEnabled: true });
    for (const role of ["task", "api"]) {
      const statements = JSON.parse(one("aws:iam/rolePolicy:RolePolicy", `${P}-${role}`).inputs.policy).Statement;
      assert.deepEqual(statements.find((s: { Sid: string }) => s.Sid === "UseBucketKey")?.Resource, [KMS], role);
    }
  });

  it("without VPC endpoints egress is Redis plus HTTPS (through NAT), nothing else", () => {
    const egress = ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${P}-tasks`).map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId ?? r.inputs.cidrIpv4]);
    assert.deepEqual(egress.sort(), [[443, "0.0.0.0/0"], [6379, "sg-existing-redis"]]);
  });

  it("IRSA: each role trusts only its service account's token; the chart gets the role annotation", () => {
    const trust = JSON.parse(one("aws:iam/role:Role", `${P}-operator`).inputs.assumeRolePolicy);
    assert.deepEqual(trust.Statement[0].Principal, { Federated: OIDC });
    assert.equal(trust.Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/EXISTING:sub"], "system:serviceaccount:transcode-system:transcode-operator");
    assert.deepEqual(ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation", P), []);
    const values = one("kubernetes:helm.sh/v3:Release", P).inputs.values;
    assert.deepEqual(values.operator.serviceAccount.annotations, { "eks.amazonaws.com/role-arn": `arn:aws:iam::123456789012:role/${P}-operator` });
    assert.deepEqual(values.bridge.serviceAccount, { name: "transcode-bridge", annotations: {} });
  });

  it("the pods' security group may reach the existing Redis and MongoDB", () => {
    const rules = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${P}-pods`).map((r) => [r.inputs.securityGroupId, r.inputs.referencedSecurityGroupId, r.inputs.fromPort]);
    assert.deepEqual(rules.sort(), [["sg-existing-mongo", "sg-pods", 27017], ["sg-existing-redis", "sg-pods", 6379]]);
  });

  it("refuses incomplete configurations with a message naming what is missing", async () => {
    const { Data, ControlPlaneCluster, Storage } = await import("../../infra/index.js");
    assert.throws(() => new Data("bad1", { redisMode: "existing", mongoMode: "create" }), /existingRedisUrlSecrets/);
    assert.throws(() => new Data("bad2", { redisMode: "create", mongoMode: "create" }), /vpcId and subnetIds/);
    assert.throws(() => new Storage("bad3", { consoleOrigins: [], cloudFront: true }), /playbackPublicKeyPem/);
    assert.throws(() => new Storage("bad4", { consoleOrigins: [], uploadsPrefix: "" }), /non-empty/);
    const ecs = { ecsClusterArn: "a", ecsClusterName: "c", taskDefinitionFamily: "f", taskRoleArn: "t", executionRoleArn: "e", uploadsBucketArn: "u", uploadsPrefix: "uploads/", outputsBucketArn: "o", outputsPrefix: "outputs/" };
    assert.throws(() => new ControlPlaneCluster("bad5", { ...ecs, mode: "existing" }), /kubeconfig/);
    assert.throws(() => new ControlPlaneCluster("bad6", { ...ecs, mode: "existing", kubeconfig: "x", workloadIdentity: "irsa" }), /oidcProviderArn/);
  });
});

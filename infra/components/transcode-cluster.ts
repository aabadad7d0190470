import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsScope, roleWithPolicy } from "../aws.js";
import {
  bucketKeyStatement,
  ecsTasksTrust,
  policyDocument,
  pullImageStatements,
  readSecretStatements,
  transcoderTaskS3Statements,
  writeLogsStatement,
} from "../iam/index.js";
import { DEFAULT_CONTAINER_NAME, type SecretRef, type VpcEndpointsRef } from "../types.js";
import { restrictedEgress } from "./egress.js";
import { transcoderContainerDefinitions } from "./task-definition.js";

export interface TranscodeClusterArgs {
  uploadsBucketArn: pulumi.Input<string>;
  uploadsPrefix: string;
  outputsBucketArn: pulumi.Input<string>;
  outputsPrefix: string;
  /** Grant delete of sources (jobs with spec.deleteSourceOnSuccess). Default false: such jobs then fail to delete. */
  allowDeleteSource?: boolean;
  vpcId: pulumi.Input<string>;
  /** Private subnets the tasks run in (ECS_SUBNETS). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  redisSecurityGroupId: pulumi.Input<string>;
  redisPort: pulumi.Input<number>;
  /** The task's Redis URL (its own Redis user): the task definition's TJ_REDIS_URL secret. */
  redisUrlSecret: SecretRef;
  /** Reach S3, ECR, logs and Secrets Manager through these endpoints; HTTPS via NAT otherwise. */
  endpoints?: VpcEndpointsRef;
  /** Fargate CPU units and MiB. Defaults 2048 / 4096 (a 1080p ladder at preset "faster"). */
  cpu?: pulumi.Input<number>;
  memory?: pulumi.Input<number>;
  /** Fargate ephemeral storage, 21–200 GiB: source + outputs of the largest job. Default 50. */
  ephemeralStorageGiB?: pulumi.Input<number>;
  /** Image tag in the created repository (tags are immutable: push a new tag per release). */
  imageTag: pulumi.Input<string>;
  cpuArchitecture?: "X86_64" | "ARM64";
  containerName?: string;
  logRetentionDays?: pulumi.Input<number>;
  /** The buckets' customer-managed KMS key (Storage kmsKeyArn), if any: the task role may use it. */
  bucketsKmsKeyArn?: pulumi.Input<string>;
  /** Customer-managed KMS key of the secrets, if any (kms:Decrypt for the execution role). */
  secretsKmsKeyArn?: pulumi.Input<string>;
  /** CloudWatch Container Insights (billed per metric). Default false. */
  containerInsights?: boolean;
  tags?: pulumi.Input<Record<string, string>>;
}

/**
 * Where transcoder tasks run: an ECR repository, an ECS cluster and the Fargate task definition with its two roles.
 * The task role reads sources and writes outputs under their prefixes only; the execution role pulls the image,
 * writes the log group and injects the secrets. No credential is in the task definition.
 */
export class TranscodeCluster extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly taskDefinitionFamily: pulumi.Output<string>;
  /** The secret the task definition takes TJ_REDIS_URL from: the operator checks it (TASK_REDIS_SECRET_ARN). */
  readonly redisUrlSecretArn: pulumi.Output<string>;
  readonly containerName: string;
  readonly taskRoleArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;
  readonly subnetIds: pulumi.Output<string[]>;

  constructor(name: string, args: TranscodeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:TranscodeCluster", name, {}, opts);
    const opt = { parent: this };
    const scope = awsScope(this);
    this.containerName = args.containerName ?? DEFAULT_CONTAINER_NAME;

    const repo = new aws.ecr.Repository(
      `${name}-transcoder`,
      {
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        tags: args.tags,
      },
      opt,
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-transcoder`,
      {
        repository: repo.name,
        policy: JSON.stringify({
          rules: [{ rulePriority: 1, description: "keep the last 20 images", selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 20 }, action: { type: "expire" } }],
        }),
      },
      opt,
    );
    const cluster = new aws.ecs.Cluster(
      name,
      { settings: [{ name: "containerInsights", value: args.containerInsights ? "enabled" : "disabled" }], tags: args.tags },
      opt,
    );
    const logs = new aws.cloudwatch.LogGroup(`${name}-transcoder`, { retentionInDays: args.logRetentionDays ?? 30, tags: args.tags }, opt);

    const trust = scope.apply(ecsTasksTrust);
    const secretArn = pulumi.output(args.redisUrlSecret.arn);
    const { role: executionRole } = roleWithPolicy(
      `${name}-execution`,
      {
        description: "ECS agent for transcoder tasks: image pull, logs, secrets",
        trust,
        policy: pulumi
          .all([repo.arn, logs.arn, secretArn, args.secretsKmsKeyArn])
          .apply(([repoArn, logArn, secret, kms]) =>
            policyDocument([...pullImageStatements(repoArn), writeLogsStatement(logArn), ...readSecretStatements([secret], kms)]),
          ),
        tags: args.tags,
      },
      this,
    );
    const { role: taskRole } = roleWithPolicy(
      `${name}-task`,
      {
        description: "transcoder task: read sources, write outputs",
        trust,
        policy: pulumi.all([args.uploadsBucketArn, args.outputsBucketArn, args.bucketsKmsKeyArn]).apply(([uploads, outputs, kms]) =>
          policyDocument([
            ...transcoderTaskS3Statements({
              uploads: { bucketArn: uploads, prefix: args.uploadsPrefix },
              outputs: { bucketArn: outputs, prefix: args.outputsPrefix },
              allowDeleteSource: args.allowDeleteSource ?? false,
            }),
            ...(kms === undefined ? [] : [bucketKeyStatement(kms)]),
          ]),
        ),
        tags: args.tags,
      },
      this,
    );

    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-transcoder`,
      {
        family: `${name}-transcoder`,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: pulumi.output(args.cpu ?? 2048).apply(String),
        memory: pulumi.output(args.memory ?? 4096).apply(String),
        ephemeralStorage: { sizeInGib: args.ephemeralStorageGiB ?? 50 },
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: args.cpuArchitecture ?? "X86_64" },
        executionRoleArn: executionRole.arn,
        taskRoleArn: taskRole.arn,
        // A Fargate bind-mount volume lives on the task's ephemeral storage.
        volumes: [{ name: "scratch" }],
        containerDefinitions: pulumi
          .all([repo.repositoryUrl, args.imageTag, scope, logs.name, secretArn])
          .apply(([url, tag, s, group, secret]) =>
            transcoderContainerDefinitions({
              name: this.containerName,
              image: `${url}:${tag}`,
              region: s.region,
              logGroupName: group,
              secrets: { TJ_REDIS_URL: secret },
            }),
          ),
        tags: args.tags,
      },
      opt,
    );

    const sg = new aws.ec2.SecurityGroup(
      `${name}-tasks`,
      { vpcId: args.vpcId, description: "transcoder tasks: egress to S3 and Redis only", revokeRulesOnDelete: true, tags: args.tags },
      opt,
    );
    restrictedEgress(`${name}-tasks`, sg, { ...args, s3: true }, this);

    this.repositoryUrl = repo.repositoryUrl;
    this.clusterArn = cluster.arn;
    this.clusterName = cluster.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.taskDefinitionFamily = taskDefinition.family;
    this.redisUrlSecretArn = secretArn;
    this.taskRoleArn = taskRole.arn;
    this.executionRoleArn = executionRole.arn;
    this.securityGroupId = sg.id;
    this.subnetIds = pulumi.output(args.subnetIds);
    this.registerOutputs({
      repositoryUrl: this.repositoryUrl,
      clusterArn: this.clusterArn,
      clusterName: this.clusterName,
      taskDefinitionArn: this.taskDefinitionArn,
      taskDefinitionFamily: this.taskDefinitionFamily,
      redisUrlSecretArn: this.redisUrlSecretArn,
      taskRoleArn: this.taskRoleArn,
      executionRoleArn: this.executionRoleArn,
      securityGroupId: this.securityGroupId,
      subnetIds: this.subnetIds,
    });
  }
}

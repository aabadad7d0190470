import { join } from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bundleLambda } from "../../lambda/bundle.js";
import { awsScope, roleWithPolicy } from "../aws.js";
import { PRELOAD_LAYER_PATH, PRELOAD_NODE_OPTIONS, buildPreload } from "../lambda-preload/build.js";
import { deadLetterStatement, lambdaVpcStatement, policyDocument, readSecretStatements, secretKind, serviceTrust, writeLogsStatement } from "../iam/index.js";
import { DEFAULT_UPLOADS_PREFIX, type SecretRef, type VpcEndpointsRef } from "../types.js";
import { restrictedEgress } from "./egress.js";

export interface UploadTriggerArgs {
  uploadsBucketName: pulumi.Input<string>;
  uploadsBucketArn: pulumi.Input<string>;
  /** Only ObjectCreated events under this prefix invoke the function. Default "uploads/". */
  uploadsPrefix?: string;
  vpcId: pulumi.Input<string>;
  /** Private subnets that reach Redis. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  redisSecurityGroupId: pulumi.Input<string>;
  redisPort: pulumi.Input<number>;
  /** The Lambda's own Redis URL, a Secrets Manager secret (read at cold start, never in the environment). */
  redisUrlSecret: SecretRef;
  /** ARN (with version) of AWS's "AWS-Parameters-and-Secrets-Lambda-Extension" layer for this region and architecture. */
  secretsExtensionLayerArn: pulumi.Input<string>;
  /** Reach Secrets Manager through the interface endpoint; HTTPS via NAT otherwise. */
  endpoints?: VpcEndpointsRef;
  architecture?: "arm64" | "x86_64";
  memorySize?: pulumi.Input<number>;
  timeoutSeconds?: pulumi.Input<number>;
  logRetentionDays?: pulumi.Input<number>;
  logLevel?: pulumi.Input<string>;
  /** SNS topic told when an event lands on the dead-letter queue. */
  alarmTopicArn?: pulumi.Input<string>;
  /** Where `bundleLambda` (lambda/bundle.ts) writes the zip. Default dist/lambda in the repository. */
  bundleDir?: string;
  tags?: pulumi.Input<Record<string, string>>;
}

const REPO_ROOT = join(import.meta.dirname, "..", "..");

/**
 * The S3 trigger: the lambda/ handler, bundled by the project's own bundle script, invoked for ObjectCreated under
 * the uploads prefix. Its role may write its log group, attach to the VPC, read its one secret and dead-letter an
 * event; the event itself arrives by S3's invoke permission, and Redis is reached over the network.
 */
export class UploadTrigger extends pulumi.ComponentResource {
  readonly functionArn: pulumi.Output<string>;
  readonly functionName: pulumi.Output<string>;
  readonly roleArn: pulumi.Output<string>;
  readonly deadLetterQueueUrl: pulumi.Output<string>;
  readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: UploadTriggerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:UploadTrigger", name, {}, opts);
    const opt = { parent: this };
    const scope = awsScope(this);
    const prefix = args.uploadsPrefix ?? DEFAULT_UPLOADS_PREFIX;
    const secretArn = pulumi.output(args.redisUrlSecret.arn).apply((arn) => {
      if (secretKind(arn) !== "secretsmanager") throw new Error("UploadTrigger: redisUrlSecret must be a Secrets Manager secret");
      return arn;
    });

    const logs = new aws.cloudwatch.LogGroup(`${name}-upload-trigger`, { retentionInDays: args.logRetentionDays ?? 30, tags: args.tags }, opt);
    const dlq = new aws.sqs.Queue(`${name}-upload-trigger-dlq`, { messageRetentionSeconds: 14 * 86400, sqsManagedSseEnabled: true, tags: args.tags }, opt);
    const { role, policy } = roleWithPolicy(
      `${name}-upload-trigger`,
      {
        description: "upload trigger: logs, VPC attachment, its Redis secret, dead letters",
        trust: serviceTrust("lambda.amazonaws.com"),
        policy: pulumi
          .all([logs.arn, secretArn, dlq.arn])
          .apply(([logArn, secret, queue]) =>
            policyDocument([writeLogsStatement(logArn), lambdaVpcStatement(), ...readSecretStatements([secret]), deadLetterStatement(queue)]),
          ),
        tags: args.tags,
      },
      this,
    );

    const sg = new aws.ec2.SecurityGroup(`${name}-upload-trigger`, { vpcId: args.vpcId, description: "upload trigger: egress to Redis and Secrets Manager", revokeRulesOnDelete: true, tags: args.tags }, opt);
    restrictedEgress(`${name}-upload-trigger`, sg, { ...args, s3: false }, this);

    const preload = new aws.lambda.LayerVersion(
      `${name}-redis-url-preload`,
      {
        layerName: `${name}-redis-url-preload`,
        description: "sets REDIS_URL from Secrets Manager before the handler loads",
        code: pulumi.output(buildPreload()).apply((js) => new pulumi.asset.AssetArchive({ [PRELOAD_LAYER_PATH]: new pulumi.asset.StringAsset(js) })),
        compatibleRuntimes: ["nodejs22.x"],
      },
      opt,
    );
    const bundle = bundleLambda(args.bundleDir ?? join(REPO_ROOT, "dist", "lambda"));
    const fn = new aws.lambda.Function(
      `${name}-upload-trigger`,
      {
        description: "S3 ObjectCreated → one entry on the Redis upload stream",
        runtime: "nodejs22.x",
        handler: "index.handler",
        architectures: [args.architecture ?? "arm64"],
        code: pulumi.output(bundle).apply((b) => new pulumi.asset.FileArchive(b.zipPath)),
        role: role.arn,
        memorySize: args.memorySize ?? 256,
        timeout: args.timeoutSeconds ?? 30,
        layers: [args.secretsExtensionLayerArn, preload.arn],
        vpcConfig: { subnetIds: args.subnetIds, securityGroupIds: [sg.id] },
        loggingConfig: { logFormat: "Text", logGroup: logs.name },
        environment: {
          variables: {
            UPLOADS_PREFIX: prefix,
            UPLOADS_BUCKET: args.uploadsBucketName,
            LOG_LEVEL: args.logLevel ?? "info",
            NODE_OPTIONS: PRELOAD_NODE_OPTIONS,
            TJ_REDIS_URL_SECRET_ID: secretArn,
          },
        },
        tags: args.tags,
      },
      // Lambda checks the ENI permissions when it creates a VPC function.
      { parent: this, dependsOn: [policy] },
    );
    // Async invocations S3 makes: retried twice by Lambda, then dead-lettered (the error path).
    new aws.lambda.FunctionEventInvokeConfig(
      `${name}-upload-trigger`,
      { functionName: fn.name, maximumRetryAttempts: 2, maximumEventAgeInSeconds: 6 * 3600, destinationConfig: { onFailure: { destination: dlq.arn } } },
      opt,
    );
    if (args.alarmTopicArn !== undefined)
      new aws.cloudwatch.MetricAlarm(
        `${name}-upload-trigger-dead-letters`,
        {
          alarmDescription: "an upload event could not be put on the stream",
          namespace: "AWS/SQS",
          metricName: "ApproximateNumberOfMessagesVisible",
          dimensions: { QueueName: dlq.name },
          statistic: "Maximum",
          period: 300,
          evaluationPeriods: 1,
          threshold: 0,
          comparisonOperator: "GreaterThanThreshold",
          alarmActions: [args.alarmTopicArn],
          tags: args.tags,
        },
        opt,
      );
    const permission = new aws.lambda.Permission(
      `${name}-upload-trigger`,
      {
        function: fn.name,
        action: "lambda:InvokeFunction",
        principal: "s3.amazonaws.com",
        sourceArn: args.uploadsBucketArn,
        sourceAccount: scope.accountId,
      },
      opt,
    );
    // The bucket's one notification configuration: owned here (S3 keeps a single configuration per bucket).
    new aws.s3.BucketNotification(
      `${name}-uploads`,
      { bucket: args.uploadsBucketName, lambdaFunctions: [{ lambdaFunctionArn: fn.arn, events: ["s3:ObjectCreated:*"], filterPrefix: prefix }] },
      { parent: this, dependsOn: [permission] },
    );

    this.functionArn = fn.arn;
    this.functionName = fn.name;
    this.roleArn = role.arn;
    this.deadLetterQueueUrl = dlq.url;
    this.securityGroupId = sg.id;
    this.registerOutputs({ functionArn: this.functionArn, functionName: this.functionName, roleArn: this.roleArn, deadLetterQueueUrl: this.deadLetterQueueUrl, securityGroupId: this.securityGroupId });
  }
}

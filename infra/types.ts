import type * as pulumi from "@pulumi/pulumi";

/**
 * A secret by reference: the ARN of a Secrets Manager secret (its whole SecretString) or of an SSM SecureString
 * parameter. Components pass the reference on (ECS `valueFrom`, an IAM resource) and never put the value in a
 * resource input, except where a value must be materialised (a Kubernetes Secret), and then as a Pulumi secret.
 */
export interface SecretRef {
  arn: pulumi.Input<string>;
}

/**
 * For ControlPlaneRelease only: a value that is already a Pulumi secret (stack config set with `--secret`), for
 * a cluster with no AWS secret store to read from, such as the emulator stack.
 */
export interface StackSecretRef {
  stackSecret: pulumi.Output<string>;
}
export type ReleaseSecretRef = SecretRef | StackSecretRef;

/** VPC endpoints the task and the Lambda reach AWS through instead of a NAT gateway (see VpcEndpoints). */
export interface VpcEndpointsRef {
  /** The interface endpoints' security group (ECR, CloudWatch Logs, Secrets Manager): egress on 443 to it. */
  securityGroupId: pulumi.Input<string>;
  /** The S3 gateway endpoint's managed prefix list: egress on 443 to it. */
  s3PrefixListId: pulumi.Input<string>;
}

/** The processes that each get their own Redis user (lib/redis-acl holds their rules). */
export { REDIS_COMPONENTS as REDIS_CLIENTS, type RedisComponent as RedisClient } from "../lib/redis-acl/index.js";

export const DEFAULT_UPLOADS_PREFIX = "uploads/";
export const DEFAULT_OUTPUTS_PREFIX = "outputs/";
export const DEFAULT_CONTAINER_NAME = "transcoder";

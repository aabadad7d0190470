import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsScope, PolicyDocument } from "./iam/index.js";

/** The account, region and partition every ARN in a component is built from (looked up, never configured). */
export function awsScope(parent: pulumi.Resource): pulumi.Output<AwsScope> {
  const opts = { parent };
  return pulumi
    .all([aws.getCallerIdentityOutput({}, opts), aws.getRegionOutput({}, opts), aws.getPartitionOutput({}, opts)])
    .apply(([id, region, partition]) => ({ accountId: id.accountId, region: region.region, partition: partition.partition }));
}

export function toJson(doc: PolicyDocument): string {
  return JSON.stringify(doc);
}

/**
 * An IAM role with one inline policy; the two documents come from the pure builders in iam/. The policy is
 * returned too, for resources that AWS checks against it when they are created (a VPC Lambda's ENI actions).
 */
export function roleWithPolicy(
  name: string,
  args: { description: string; trust: pulumi.Input<PolicyDocument>; policy: pulumi.Input<PolicyDocument>; tags?: pulumi.Input<Record<string, string>> },
  parent: pulumi.Resource,
): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
  const role = new aws.iam.Role(
    name,
    { description: args.description, assumeRolePolicy: pulumi.output(args.trust).apply(toJson), tags: args.tags },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(name, { role: role.id, policy: pulumi.output(args.policy).apply(toJson) }, { parent });
  return { role, policy };
}

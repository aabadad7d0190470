import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { VpcEndpointsRef } from "../types.js";
import { allowClient } from "./client-access.js";

export interface RestrictedEgressArgs {
  redisSecurityGroupId: pulumi.Input<string>;
  redisPort: pulumi.Input<number>;
  /** Through VPC endpoints when given; otherwise HTTPS anywhere (AWS APIs through a NAT gateway have no fixed addresses). */
  endpoints?: VpcEndpointsRef | undefined;
  /** Also S3 (the task); the Lambda only needs Secrets Manager. */
  s3: boolean;
}

/**
 * Egress rules for a security group created without any (the provider removes AWS's default allow-all): Redis on
 * its port, and HTTPS to the AWS endpoints the workload needs. The matching ingress on Redis's and the endpoints'
 * groups is added here too, so the pair cannot drift apart.
 */
export function restrictedEgress(name: string, sg: aws.ec2.SecurityGroup, args: RestrictedEgressArgs, parent: pulumi.Resource): void {
  const opts = { parent };
  const tcp = (port: pulumi.Input<number>) => ({ ipProtocol: "tcp", fromPort: port, toPort: port });
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-redis`,
    { securityGroupId: sg.id, referencedSecurityGroupId: args.redisSecurityGroupId, description: "Redis", ...tcp(args.redisPort) },
    opts,
  );
  const client = { clientSecurityGroupId: sg.id, description: `from ${name}` };
  allowClient(`${name}-redis`, { ...client, serverSecurityGroupId: args.redisSecurityGroupId, port: args.redisPort }, opts);
  if (args.endpoints === undefined) {
    new aws.vpc.SecurityGroupEgressRule(`${name}-https`, { securityGroupId: sg.id, cidrIpv4: "0.0.0.0/0", description: "AWS APIs via NAT", ...tcp(443) }, opts);
    return;
  }
  const endpointSg = args.endpoints.securityGroupId;
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-endpoints`,
    { securityGroupId: sg.id, referencedSecurityGroupId: endpointSg, description: "AWS interface endpoints", ...tcp(443) },
    opts,
  );
  allowClient(`${name}-endpoints`, { ...client, serverSecurityGroupId: endpointSg, port: 443 }, opts);
  if (args.s3)
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-s3`,
      { securityGroupId: sg.id, prefixListId: args.endpoints.s3PrefixListId, description: "S3 gateway endpoint", ...tcp(443) },
      opts,
    );
}

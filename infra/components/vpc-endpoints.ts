import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { VpcEndpointsRef } from "../types.js";

export interface VpcEndpointsArgs {
  vpcId: pulumi.Input<string>;
  /** Subnets of the interface endpoints (one per AZ the task and Lambda run in). */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Route tables of those subnets, for the S3 gateway endpoint. */
  routeTableIds: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Interface endpoints. Default: what a Fargate task with Secrets Manager secrets and awslogs needs. Control-plane
   * nodes without a NAT gateway also need "ecs", "sts" and "eks-auth" (Pod Identity), and "ec2"/"eks" for the nodes.
   */
  services?: string[];
  tags?: pulumi.Input<Record<string, string>>;
}

const DEFAULT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager"];

/**
 * Private routes to AWS for workloads whose egress is restricted: an S3 gateway endpoint (free; also carries ECR's
 * image layers) and interface endpoints behind one security group. The group has no ingress of its own: each
 * consumer adds its own 443 rule (restrictedEgress), so only those groups reach the endpoints.
 */
export class VpcEndpoints extends pulumi.ComponentResource {
  readonly securityGroupId: pulumi.Output<string>;
  readonly s3PrefixListId: pulumi.Output<string>;

  constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:VpcEndpoints", name, {}, opts);
    const opt = { parent: this };
    const region = aws.getRegionOutput({}, opt).region;
    const sg = new aws.ec2.SecurityGroup(`${name}-endpoints`, { vpcId: args.vpcId, description: "AWS interface endpoints", tags: args.tags }, opt);
    for (const service of args.services ?? DEFAULT_SERVICES)
      new aws.ec2.VpcEndpoint(
        `${name}-${service.replace(/\./g, "-")}`,
        {
          vpcId: args.vpcId,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: args.subnetIds,
          securityGroupIds: [sg.id],
          tags: args.tags,
        },
        opt,
      );
    const s3 = new aws.ec2.VpcEndpoint(
      `${name}-s3`,
      {
        vpcId: args.vpcId,
        serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
        vpcEndpointType: "Gateway",
        routeTableIds: args.routeTableIds,
        tags: args.tags,
      },
      opt,
    );
    this.securityGroupId = sg.id;
    this.s3PrefixListId = s3.prefixListId;
    this.registerOutputs({ securityGroupId: this.securityGroupId, s3PrefixListId: this.s3PrefixListId });
  }

  /** What TranscodeCluster and UploadTrigger take as `endpoints`. */
  get ref(): VpcEndpointsRef {
    return { securityGroupId: this.securityGroupId, s3PrefixListId: this.s3PrefixListId };
  }
}

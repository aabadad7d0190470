import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

/** Let one client security group reach a server's port (Redis, MongoDB), from outside the server's component. */
export function allowClient(
  name: string,
  args: { serverSecurityGroupId: pulumi.Input<string>; clientSecurityGroupId: pulumi.Input<string>; port: pulumi.Input<number>; description: string },
  opts?: pulumi.CustomResourceOptions,
): aws.vpc.SecurityGroupIngressRule {
  return new aws.vpc.SecurityGroupIngressRule(
    name,
    {
      securityGroupId: args.serverSecurityGroupId,
      referencedSecurityGroupId: args.clientSecurityGroupId,
      ipProtocol: "tcp",
      fromPort: args.port,
      toPort: args.port,
      description: args.description,
    },
    opts,
  );
}

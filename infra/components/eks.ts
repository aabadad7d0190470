import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws.js";
import { serviceTrust } from "../iam/index.js";

export interface CreatedEksArgs {
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  version: pulumi.Input<string>;
  nodeInstanceType: pulumi.Input<string>;
  nodeCount: number;
  nodeDiskGiB: number;
  /** Allow the public API endpoint (kubectl from outside the VPC). */
  publicEndpoint: boolean;
  /** Add the EKS Pod Identity agent add-on. */
  podIdentityAgent: boolean;
  tags?: pulumi.Input<Record<string, string>> | undefined;
}

export interface CreatedEks {
  cluster: aws.eks.Cluster;
  kubeconfig: pulumi.Output<string>;
}

/**
 * A small EKS cluster for the control plane's three Deployments: API-mode access entries (the creator is admin),
 * an EC2 managed node group, and (for Pod Identity) its agent add-on. The managed policies are AWS's own for EKS.
 */
export function createEks(name: string, args: CreatedEksArgs, parent: pulumi.Resource): CreatedEks {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts).partition;
  const managed = (role: aws.iam.Role, policies: string[]) =>
    policies.map((p) => new aws.iam.RolePolicyAttachment(`${name}-${p}`, { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${p}` }, opts));

  const clusterRole = new aws.iam.Role(`${name}-eks`, { assumeRolePolicy: toJson(serviceTrust("eks.amazonaws.com")), tags: args.tags }, opts);
  const clusterPolicies = managed(clusterRole, ["AmazonEKSClusterPolicy"]);
  const cluster = new aws.eks.Cluster(
    name,
    {
      roleArn: clusterRole.arn,
      version: args.version,
      vpcConfig: { subnetIds: args.subnetIds, endpointPrivateAccess: true, endpointPublicAccess: args.publicEndpoint },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
      tags: args.tags,
    },
    { parent, dependsOn: clusterPolicies },
  );
  const nodeRole = new aws.iam.Role(`${name}-nodes`, { assumeRolePolicy: toJson(serviceTrust("ec2.amazonaws.com")), tags: args.tags }, opts);
  const nodePolicies = managed(nodeRole, ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"]);
  new aws.eks.NodeGroup(
    `${name}-nodes`,
    {
      clusterName: cluster.name,
      nodeRoleArn: nodeRole.arn,
      subnetIds: args.subnetIds,
      instanceTypes: [args.nodeInstanceType],
      amiType: "AL2023_x86_64_STANDARD",
      diskSize: args.nodeDiskGiB,
      scalingConfig: { desiredSize: args.nodeCount, minSize: 1, maxSize: Math.max(args.nodeCount, 2) },
      tags: args.tags,
    },
    { parent, dependsOn: nodePolicies },
  );
  if (args.podIdentityAgent) new aws.eks.Addon(`${name}-pod-identity`, { clusterName: cluster.name, addonName: "eks-pod-identity-agent" }, opts);

  const region = aws.getRegionOutput({}, opts).region;
  // Tokens come from `aws eks get-token` with whoever runs Pulumi: nothing long-lived is written into the config.
  const kubeconfig = pulumi.secret(
    pulumi.all([cluster.name, cluster.endpoint, cluster.certificateAuthority, region]).apply(([clusterName, endpoint, ca, r]) =>
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": ca.data } }],
        users: [{ name: clusterName, user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--region", r] } } }],
        contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
        "current-context": clusterName,
      }),
    ),
  );
  return { cluster, kubeconfig };
}

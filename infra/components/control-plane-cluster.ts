import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awsScope, roleWithPolicy } from "../aws.js";
import { apiS3Statements, bucketKeyStatement, irsaTrust, operatorEcsStatements, podIdentityTrust, policyDocument, type PolicyDocument } from "../iam/index.js";
import { createEks } from "./eks.js";

/** The processes that get an AWS role. The bridge talks only to Redis and the apiserver, so it has none. */
export const AWS_ROLE_HOLDERS = ["operator", "api"] as const;
export type AwsRoleHolder = (typeof AWS_ROLE_HOLDERS)[number];

export interface ControlPlaneClusterArgs {
  /** Use a cluster given by kubeconfig, or create an EKS cluster. */
  mode: "existing" | "create";
  /** existing: the kubeconfig (a Pulumi secret), with exec/token auth, not a static key. */
  kubeconfig?: pulumi.Input<string>;
  /** How pods get AWS credentials. Default "pod-identity". */
  workloadIdentity?: "pod-identity" | "irsa";
  /** existing + pod-identity: the EKS cluster name the associations are made in. */
  clusterName?: pulumi.Input<string>;
  /** existing + irsa: the cluster's IAM OIDC provider and issuer URL. */
  oidcProviderArn?: pulumi.Input<string>;
  oidcIssuerUrl?: pulumi.Input<string>;
  /** create: private subnets of the cluster and the node group. */
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  kubernetesVersion?: pulumi.Input<string>;
  /** create: EC2 node group. Defaults t3.medium × 2, 30 GiB. */
  nodeInstanceType?: pulumi.Input<string>;
  nodeCount?: number;
  nodeDiskGiB?: number;
  publicEndpoint?: boolean;
  /** Namespace of the release and its service accounts. Default "transcode-system". */
  namespace?: string;
  /** Service account names (the chart's). Defaults transcode-operator, transcode-api. */
  operatorServiceAccount?: string;
  apiServiceAccount?: string;
  /** The operator's ECS scope. */
  ecsClusterArn: pulumi.Input<string>;
  ecsClusterName: pulumi.Input<string>;
  taskDefinitionFamily: pulumi.Input<string>;
  taskRoleArn: pulumi.Input<string>;
  executionRoleArn: pulumi.Input<string>;
  /** The API's S3 scope (what its presigned URLs may do). */
  uploadsBucketArn: pulumi.Input<string>;
  uploadsPrefix: string;
  outputsBucketArn: pulumi.Input<string>;
  outputsPrefix: string;
  /** The buckets' customer-managed KMS key (Storage kmsKeyArn), if any: the API may use it. */
  bucketsKmsKeyArn?: pulumi.Input<string>;
  tags?: pulumi.Input<Record<string, string>>;
}

/**
 * The Kubernetes cluster the operator, bridge and API run in (an existing one, or a created EKS cluster), a
 * Kubernetes provider for it, and the operator's and API's IAM roles bound to their service accounts with EKS Pod
 * Identity or IRSA. Pass `provider` to ControlPlaneRelease as its kubernetes provider.
 */
export class ControlPlaneCluster extends pulumi.ComponentResource {
  readonly provider: k8s.Provider;
  readonly kubeconfig: pulumi.Output<string>;
  readonly namespace: string;
  readonly serviceAccounts: Record<AwsRoleHolder | "bridge", string>;
  readonly roleArns: Record<AwsRoleHolder, pulumi.Output<string>>;
  /** IRSA's `eks.amazonaws.com/role-arn` annotation per service account (empty with Pod Identity). */
  readonly serviceAccountAnnotations: Record<AwsRoleHolder, pulumi.Output<Record<string, string>>>;
  /** The created cluster's security group (the pods' source address for Redis and DocumentDB); undefined if not created. */
  readonly clusterSecurityGroupId: pulumi.Output<string> | undefined;

  constructor(name: string, args: ControlPlaneClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:ControlPlaneCluster", name, {}, opts);
    const opt = { parent: this };
    const identity = args.workloadIdentity ?? "pod-identity";
    this.namespace = args.namespace ?? "transcode-system";
    this.serviceAccounts = {
      operator: args.operatorServiceAccount ?? "transcode-operator",
      api: args.apiServiceAccount ?? "transcode-api",
      bridge: "transcode-bridge",
    };

    let clusterName: pulumi.Input<string> | undefined = args.clusterName;
    let oidcProviderArn: pulumi.Input<string> | undefined = args.oidcProviderArn;
    let oidcIssuerUrl: pulumi.Input<string> | undefined = args.oidcIssuerUrl;
    let clusterSecurityGroupId: pulumi.Output<string> | undefined;
    if (args.mode === "create") {
      if (args.subnetIds === undefined) throw new Error("ControlPlaneCluster: mode create needs subnetIds");
      const eks = createEks(
        name,
        {
          subnetIds: args.subnetIds,
          version: args.kubernetesVersion ?? "1.33",
          nodeInstanceType: args.nodeInstanceType ?? "t3.medium",
          nodeCount: args.nodeCount ?? 2,
          nodeDiskGiB: args.nodeDiskGiB ?? 30,
          publicEndpoint: args.publicEndpoint ?? false,
          podIdentityAgent: identity === "pod-identity",
          tags: args.tags,
        },
        this,
      );
      clusterName = eks.cluster.name;
      clusterSecurityGroupId = eks.cluster.vpcConfig.clusterSecurityGroupId;
      this.kubeconfig = eks.kubeconfig;
      if (identity === "irsa") {
        const issuer = eks.cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
        const provider = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, { url: issuer, clientIdLists: ["sts.amazonaws.com"], tags: args.tags }, opt);
        oidcProviderArn = provider.arn;
        oidcIssuerUrl = issuer;
      }
    } else {
      if (args.kubeconfig === undefined) throw new Error("ControlPlaneCluster: mode existing needs kubeconfig");
      this.kubeconfig = pulumi.secret(args.kubeconfig);
    }
    if (identity === "pod-identity" && clusterName === undefined) throw new Error("ControlPlaneCluster: pod-identity needs clusterName");
    if (identity === "irsa" && (oidcProviderArn === undefined || oidcIssuerUrl === undefined))
      throw new Error("ControlPlaneCluster: irsa needs oidcProviderArn and oidcIssuerUrl");

    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, opt);

    const scope = awsScope(this);
    const policies: Record<AwsRoleHolder, pulumi.Output<PolicyDocument>> = {
      operator: pulumi
        .all([scope, args.ecsClusterArn, args.ecsClusterName, args.taskDefinitionFamily, args.taskRoleArn, args.executionRoleArn])
        .apply(([s, clusterArn, ecsName, family, taskRoleArn, executionRoleArn]) =>
          policyDocument(operatorEcsStatements({ ...s, clusterArn, clusterName: ecsName, taskDefinitionFamily: family, taskRoleArn, executionRoleArn })),
        ),
      api: pulumi.all([args.uploadsBucketArn, args.outputsBucketArn, args.bucketsKmsKeyArn]).apply(([uploads, outputs, kms]) =>
        policyDocument([
          ...apiS3Statements({ uploads: { bucketArn: uploads, prefix: args.uploadsPrefix }, outputs: { bucketArn: outputs, prefix: args.outputsPrefix } }),
          ...(kms === undefined ? [] : [bucketKeyStatement(kms)]),
        ]),
      ),
    };
    const roleArns = {} as Record<AwsRoleHolder, pulumi.Output<string>>;
    const annotations = {} as Record<AwsRoleHolder, pulumi.Output<Record<string, string>>>;
    for (const holder of AWS_ROLE_HOLDERS) {
      const serviceAccount = this.serviceAccounts[holder];
      const trust =
        identity === "irsa"
          ? pulumi.all([oidcProviderArn!, oidcIssuerUrl!]).apply(([arn, url]) => irsaTrust({ oidcProviderArn: arn, issuerUrl: url, namespace: this.namespace, serviceAccount }))
          : pulumi.output(podIdentityTrust());
      const { role } = roleWithPolicy(`${name}-${holder}`, { description: `${holder} (${this.namespace}/${serviceAccount})`, trust, policy: policies[holder], tags: args.tags }, this);
      if (identity === "pod-identity")
        new aws.eks.PodIdentityAssociation(`${name}-${holder}`, { clusterName: clusterName!, namespace: this.namespace, serviceAccount, roleArn: role.arn, tags: args.tags }, opt);
      roleArns[holder] = role.arn;
      annotations[holder] = identity === "irsa" ? role.arn.apply((arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn })) : pulumi.output<Record<string, string>>({});
    }
    this.roleArns = roleArns;
    this.serviceAccountAnnotations = annotations;
    this.clusterSecurityGroupId = clusterSecurityGroupId;
    this.registerOutputs({ kubeconfig: this.kubeconfig, roleArns, serviceAccountAnnotations: annotations, clusterSecurityGroupId });
  }
}

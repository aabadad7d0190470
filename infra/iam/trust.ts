import type { AwsScope, PolicyDocument } from "./document.js";
import { policyDocument } from "./document.js";

/** ECS tasks of this account only (the confused-deputy guard AWS recommends for ecs-tasks). */
export function ecsTasksTrust(s: AwsScope): PolicyDocument {
  return policyDocument([
    {
      Sid: "EcsTasks",
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: ["sts:AssumeRole"],
      Condition: {
        ArnLike: { "aws:SourceArn": `arn:${s.partition}:ecs:${s.region}:${s.accountId}:*` },
        StringEquals: { "aws:SourceAccount": s.accountId },
      },
    },
  ]);
}

export function serviceTrust(service: string): PolicyDocument {
  return policyDocument([{ Sid: "Service", Effect: "Allow", Principal: { Service: service }, Action: ["sts:AssumeRole"] }]);
}

/** EKS Pod Identity: the binding to namespace/service account is the PodIdentityAssociation. */
export function podIdentityTrust(): PolicyDocument {
  return policyDocument([
    {
      Sid: "EksPodIdentity",
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
    },
  ]);
}

/** IRSA: only this service account's projected token, issued for STS. */
export function irsaTrust(args: { oidcProviderArn: string; issuerUrl: string; namespace: string; serviceAccount: string }): PolicyDocument {
  const issuer = args.issuerUrl.replace(/^https:\/\//, "");
  return policyDocument([
    {
      Sid: "ServiceAccount",
      Effect: "Allow",
      Principal: { Federated: args.oidcProviderArn },
      Action: ["sts:AssumeRoleWithWebIdentity"],
      Condition: {
        StringEquals: {
          [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
          [`${issuer}:aud`]: "sts.amazonaws.com",
        },
      },
    },
  ]);
}

import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { iamDocumentsOf, statementsOf, wildcardFindings } from "./iam-scan.js";
import { deepFindings, envFindings } from "./secrets-scan.js";

/**
 * The rules of the transcode policy pack, as plain policy objects so that the unit tests can run them on the
 * program's own resources and on bad ones. Types are matched by their Pulumi type token (no provider SDK needed).
 */
const T = {
  bucket: "aws:s3/bucket:Bucket",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  bucketAcl: "aws:s3/bucketAcl:BucketAcl",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
  lambda: "aws:lambda/function:Function",
  accessKey: "aws:iam/accessKey:AccessKey",
  loginProfile: "aws:iam/userLoginProfile:UserLoginProfile",
  awsProvider: "pulumi:providers:aws",
  redis: "aws:elasticache/replicationGroup:ReplicationGroup",
  docdb: "aws:docdb/cluster:Cluster",
  queue: "aws:sqs/queue:Queue",
  helmRelease: "kubernetes:helm.sh/v3:Release",
} as const;

const PUBLIC_ACLS = new Set(["public-read", "public-read-write", "authenticated-read"]);

export const noPublicBuckets: ResourceValidationPolicy = {
  name: "s3-no-public-access",
  description: "Every public-access block is fully on; no public ACL; no bucket policy allows everyone.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    if (type === T.publicAccessBlock) {
      const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => props[k] !== true);
      if (off.length) report(`public access block leaves ${off.join(", ")} off`);
    }
    if ((type === T.bucketAcl || type === T.bucket) && PUBLIC_ACLS.has(String(props.acl))) report(`public ACL ${String(props.acl)}`);
    if (type === T.bucketPolicy)
      for (const st of statementsOf(props.policy) as { Effect?: string; Principal?: unknown }[]) {
        const p = st.Principal;
        const everyone = p === "*" || (typeof p === "object" && p !== null && (p as { AWS?: unknown }).AWS === "*");
        if (st.Effect === "Allow" && everyone) report("bucket policy allows Principal *");
      }
  },
};

export const bucketsBlockedAndEncrypted: StackValidationPolicy = {
  name: "s3-every-bucket-blocked-and-encrypted",
  description: "Every bucket has a public-access block and a default-encryption configuration.",
  enforcementLevel: "mandatory",
  validateStack: ({ resources }, report) => {
    const buckets = resources.filter((r) => r.type === T.bucket);
    for (const bucket of buckets) {
      const attached = (type: string) => resources.some((r) => r.type === type && refersToBucket(r, bucket));
      if (!attached(T.publicAccessBlock)) report(`bucket ${bucket.name} has no public access block`, bucket.urn);
      if (!attached(T.sse)) report(`bucket ${bucket.name} has no default encryption`, bucket.urn);
    }
  },
};

/** By dependency (during preview the name is unknown) or by name. */
function refersToBucket(r: PolicyResource, bucket: PolicyResource): boolean {
  if ((r.propertyDependencies?.bucket ?? []).some((d) => d.urn === bucket.urn)) return true;
  return r.props.bucket !== undefined && r.props.bucket === bucket.props.bucket;
}

export const noWildcardActionsOnAnyResource: ResourceValidationPolicy = {
  name: "iam-no-wildcard-action-on-any-resource",
  description: "No IAM Allow grants a wildcard action on Resource *, or uses NotAction/NotResource.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    for (const doc of iamDocumentsOf(type, props)) for (const finding of wildcardFindings(doc)) report(finding);
  },
};

export const noStaticCredentials: ResourceValidationPolicy = {
  name: "no-static-credentials",
  description: "No IAM access keys or passwords, no keys in provider configuration, no key IDs in any input.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    if (type === T.accessKey || type === T.loginProfile) report(`${type} creates a long-lived credential: use roles`);
    if (type === T.awsProvider && (props.accessKey !== undefined || props.secretKey !== undefined)) report("the AWS provider is configured with static keys");
    for (const finding of deepFindings(props).filter((f) => f.includes("access key ID"))) report(finding);
  },
};

interface ContainerDefinition {
  name?: string;
  environment?: { name: string; value: string }[];
}

export const noPlaintextSecretsInTaskDefinitions: ResourceValidationPolicy = {
  name: "ecs-no-plaintext-secrets",
  description: "Task definitions pass secrets as `secrets` references (Secrets Manager/SSM), never in `environment`.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    if (type !== T.taskDefinition) return;
    let containers: ContainerDefinition[];
    try {
      containers = JSON.parse(String(props.containerDefinitions)) as ContainerDefinition[];
    } catch {
      return; // unknown during preview: checked again at update
    }
    for (const c of containers) {
      const env = Object.fromEntries((c.environment ?? []).map((e) => [e.name, e.value]));
      for (const finding of envFindings(env)) report(`container ${c.name ?? "?"}: ${finding}`);
    }
  },
};

export const noPlaintextSecretsInLambdaEnv: ResourceValidationPolicy = {
  name: "lambda-no-plaintext-secrets",
  description: "Lambda environments hold secret references (ARNs), never secret values.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    if (type !== T.lambda) return;
    const env = (props.environment as { variables?: Record<string, unknown> } | undefined)?.variables;
    for (const finding of envFindings(env)) report(finding);
  },
};

export const noSecretsInHelmValues: ResourceValidationPolicy = {
  name: "helm-no-secrets-in-values",
  description: "Helm values name Kubernetes Secrets; secret settings and credentials are never values.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    if (type !== T.helmRelease) return;
    for (const finding of deepFindings(props.values, "values")) report(finding);
  },
};

export const encryptionOn: ResourceValidationPolicy = {
  name: "encryption-on",
  description: "Redis encrypts at rest and in transit; DocumentDB storage and SQS queues are encrypted.",
  enforcementLevel: "mandatory",
  validateResource: ({ type, props }, report) => {
    if (type === T.redis) {
      if (props.atRestEncryptionEnabled !== true) report("Redis without encryption at rest");
      if (props.transitEncryptionEnabled !== true) report("Redis without TLS");
    }
    if (type === T.docdb && props.storageEncrypted !== true) report("DocumentDB storage not encrypted");
    if (type === T.queue && props.sqsManagedSseEnabled !== true && props.kmsMasterKeyId === undefined) report("SQS queue not encrypted");
  },
};

export const transcodePolicies = [
  noPublicBuckets,
  bucketsBlockedAndEncrypted,
  noWildcardActionsOnAnyResource,
  noStaticCredentials,
  noPlaintextSecretsInTaskDefinitions,
  noPlaintextSecretsInLambdaEnv,
  noSecretsInHelmValues,
  encryptionOn,
];

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toJson } from "../aws.js";
import { denyInsecureTransport, policyDocument, type PrincipalStatement } from "../iam/index.js";

export interface PrivateBucketArgs {
  /** SSE-KMS with this key; SSE-S3 (AES256) without one. */
  kmsKeyArn?: pulumi.Input<string> | undefined;
  forceDestroy?: boolean | undefined;
  tags?: pulumi.Input<Record<string, string>> | undefined;
}

/**
 * A bucket nobody outside the account can reach: every public-access block on, ACLs disabled (bucket owner
 * enforced), default encryption, and (with bucketPolicy) a policy that refuses plain HTTP. Shared by the uploads
 * and outputs buckets; the caller adds CORS, lifecycle and notifications. Children are parented to `parent`.
 */
export function privateBucket(name: string, args: PrivateBucketArgs, parent: pulumi.Resource): PrivateBucket {
  const opts = { parent };
  const bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags: args.tags }, opts);
  const block = new aws.s3.BucketPublicAccessBlock(
    name,
    { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    opts,
  );
  new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
  new aws.s3.BucketServerSideEncryptionConfiguration(
    name,
    {
      bucket: bucket.id,
      rules: [
        {
          applyServerSideEncryptionByDefault:
            args.kmsKeyArn === undefined ? { sseAlgorithm: "AES256" } : { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
          bucketKeyEnabled: args.kmsKeyArn !== undefined,
        },
      ],
    },
    opts,
  );
  return { bucket, block };
}

export interface PrivateBucket {
  bucket: aws.s3.Bucket;
  block: aws.s3.BucketPublicAccessBlock;
}

/** The bucket's policy: the TLS-only deny plus `extra` (separate so that it can name a resource made after the bucket). */
export function bucketPolicy(
  name: string,
  { bucket, block }: PrivateBucket,
  extra: pulumi.Input<PrincipalStatement[]>,
  parent: pulumi.Resource,
): aws.s3.BucketPolicy {
  return new aws.s3.BucketPolicy(
    name,
    {
      bucket: bucket.id,
      policy: pulumi.all([bucket.arn, extra]).apply(([arn, more]) => toJson(policyDocument([denyInsecureTransport(arn), ...more]))),
    },
    // A policy written before the public-access block could be judged public and refused.
    { parent, dependsOn: [block] },
  );
}

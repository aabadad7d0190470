import { objectsUnder, type Statement } from "./document.js";

export interface BucketPrefix {
  bucketArn: string;
  prefix: string;
}

/**
 * s3:ListBucket on one prefix. Without it S3 answers a missing key with 403 instead of 404, and both the task
 * (a missing source is bad input, exit 65, not a retry) and the API (HEAD of an upload) tell the two apart.
 */
function listUnder(sid: string, { bucketArn, prefix }: BucketPrefix): Statement {
  return {
    Sid: sid,
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [bucketArn],
    Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
  };
}

/**
 * The transcoder task (images/transcoder/src/storage/s3.ts): HEAD/GET the source (a pinned version too), multipart
 * PUT of the outputs, DeleteObjects of its own partial outputs after a failed attempt, and DELETE of the source
 * only when the platform allows `deleteSourceOnSuccess`.
 */
export function transcoderTaskS3Statements(args: {
  uploads: BucketPrefix;
  outputs: BucketPrefix;
  allowDeleteSource: boolean;
}): Statement[] {
  const sources = objectsUnder(args.uploads.bucketArn, args.uploads.prefix);
  const outputs = objectsUnder(args.outputs.bucketArn, args.outputs.prefix);
  const statements: Statement[] = [
    { Sid: "ReadSources", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: [sources] },
    listUnder("TellMissingSources", args.uploads),
    {
      Sid: "WriteOutputs",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: [outputs],
    },
    // A failed attempt removes what it had uploaded, so a retry starts from a clean prefix.
    { Sid: "CleanFailedOutputs", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: [outputs] },
  ];
  if (args.allowDeleteSource)
    statements.push({
      Sid: "DeleteSourceOnSuccess",
      Effect: "Allow",
      Action: ["s3:DeleteObject", "s3:DeleteObjectVersion"],
      Resource: [sources],
    });
  return statements;
}

/**
 * The REST API (api/uploads/storage.ts). A presigned request carries the signer's permissions, so this is also
 * the ceiling of every URL it hands out: POST/multipart PUT under the uploads prefix, HEAD/DELETE of an upload,
 * GET of outputs; and it lists and aborts abandoned multipart uploads.
 */
export function apiS3Statements(args: { uploads: BucketPrefix; outputs: BucketPrefix }): Statement[] {
  const uploads = objectsUnder(args.uploads.bucketArn, args.uploads.prefix);
  return [
    {
      Sid: "PresignUploads",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      Resource: [uploads],
    },
    { Sid: "InspectAndDeleteUploads", Effect: "Allow", Action: ["s3:GetObject", "s3:DeleteObject"], Resource: [uploads] },
    listUnder("TellMissingUploads", args.uploads),
    // The sweep of abandoned multipart uploads (api/uploads/sweeper.ts); the action takes no s3:prefix condition,
    // and the aborts themselves stay limited to the uploads prefix above.
    { Sid: "FindAbandonedUploads", Effect: "Allow", Action: ["s3:ListBucketMultipartUploads"], Resource: [args.uploads.bucketArn] },
    {
      Sid: "PresignOutputDownloads",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: [objectsUnder(args.outputs.bucketArn, args.outputs.prefix)],
    },
  ];
}

/** With SSE-KMS buckets (a customer-managed key), reading and writing objects also needs the key. */
export function bucketKeyStatement(kmsKeyArn: string): Statement {
  return { Sid: "UseBucketKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: [kmsKeyArn] };
}

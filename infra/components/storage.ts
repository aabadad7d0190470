import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assertPrefix, cloudFrontReadStatement, objectsUnder } from "../iam/index.js";
import { DEFAULT_OUTPUTS_PREFIX, DEFAULT_UPLOADS_PREFIX } from "../types.js";
import { MULTIPART_LIFETIME_HOURS } from "../../lib/uploads/multipart.js";
import { bucketPolicy, privateBucket } from "./private-bucket.js";

export interface StorageArgs {
  /** Origins of the console that uploads from the browser (presigned POST and multipart PUT). */
  consoleOrigins: pulumi.Input<pulumi.Input<string>[]>;
  /** Key prefix uploads land under; the only prefix that triggers the Lambda. Default "uploads/". */
  uploadsPrefix?: string;
  /** Key prefix of every job's outputs (the API and the bridge write `outputs/<owner>/<job>/`). Default "outputs/". */
  outputsPrefix?: string;
  /** Uploads older than this are deleted (a transcoded source is normally deleted at once). Default 7. */
  uploadExpirationDays?: pulumi.Input<number>;
  /** SSE-KMS with this key for both buckets; SSE-S3 without one. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Put the outputs behind CloudFront (origin access control, signed URLs/cookies). Default false. */
  cloudFront?: boolean;
  /** PEM public key of the key pair the playback path signs CloudFront URLs/cookies with. Required with cloudFront. */
  playbackPublicKeyPem?: pulumi.Input<string>;
  /** CloudFront price class. Default "PriceClass_100". */
  priceClass?: pulumi.Input<string>;
  /** Let `pulumi destroy` delete non-empty buckets (test stacks). Default false. */
  forceDestroy?: boolean;
  tags?: pulumi.Input<Record<string, string>>;
}

/** AWS-managed CloudFront policies (fixed IDs): CachingOptimized, and CORS for a player on another origin. */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const CORS_S3_ORIGIN = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf";
const SIMPLE_CORS = "60669652-455b-4ae9-85a4-c4c02393f86c";

/**
 * The uploads bucket (browser uploads, expiring) and the outputs bucket (private; optionally served by CloudFront
 * with origin access control and a key group for signed URLs/cookies). The VOD-on-AWS "source" and "destination".
 */
export class Storage extends pulumi.ComponentResource {
  readonly uploadsBucketName: pulumi.Output<string>;
  readonly uploadsBucketArn: pulumi.Output<string>;
  readonly outputsBucketName: pulumi.Output<string>;
  readonly outputsBucketArn: pulumi.Output<string>;
  readonly uploadsPrefix: string;
  readonly outputsPrefix: string;
  /** The outputs' CloudFront domain, when cloudFront is on. */
  readonly playbackDomainName: pulumi.Output<string | undefined>;
  /** CloudFront public key ID: the Key-Pair-Id of every signed URL/cookie. */
  readonly playbackKeyPairId: pulumi.Output<string | undefined>;

  constructor(name: string, args: StorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:Storage", name, {}, opts);
    // Fail at once on a prefix IAM could not scope, rather than in an apply during the update.
    this.uploadsPrefix = assertPrefix(args.uploadsPrefix ?? DEFAULT_UPLOADS_PREFIX);
    this.outputsPrefix = assertPrefix(args.outputsPrefix ?? DEFAULT_OUTPUTS_PREFIX);
    if (args.cloudFront && args.playbackPublicKeyPem === undefined)
      throw new Error("Storage: cloudFront needs playbackPublicKeyPem (the signed-URL key pair's public half)");
    const common = { kmsKeyArn: args.kmsKeyArn, forceDestroy: args.forceDestroy, tags: args.tags };
    const opt = { parent: this };

    const uploadsB = privateBucket(`${name}-uploads`, common, this);
    const uploads = uploadsB.bucket;
    bucketPolicy(`${name}-uploads`, uploadsB, [], this);
    new aws.s3.BucketCorsConfiguration(
      `${name}-uploads`,
      {
        bucket: uploads.id,
        corsRules: [
          {
            // POST: presigned form uploads; PUT: presigned multipart parts. The browser must read ETag to complete.
            allowedMethods: ["POST", "PUT"],
            allowedOrigins: args.consoleOrigins,
            allowedHeaders: ["content-type", "content-md5", "x-amz-*"],
            exposeHeaders: ["ETag"],
            maxAgeSeconds: 3600,
          },
        ],
      },
      opt,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-uploads`,
      {
        bucket: uploads.id,
        rules: [
          {
            id: "expire-old-uploads",
            status: "Enabled",
            filter: { prefix: this.uploadsPrefix },
            expiration: { days: args.uploadExpirationDays ?? 7 },
          },
          abortIncompleteMultipart(),
        ],
      },
      opt,
    );

    const outputsB = privateBucket(`${name}-outputs`, common, this);
    const outputs = outputsB.bucket;
    // The transcoder uploads multipart; a task killed mid-upload leaves parts that S3 bills until aborted.
    new aws.s3.BucketLifecycleConfiguration(`${name}-outputs`, { bucket: outputs.id, rules: [abortIncompleteMultipart()] }, opt);

    if (!args.cloudFront) bucketPolicy(`${name}-outputs`, outputsB, [], this);
    let playbackDomainName: pulumi.Output<string | undefined> = pulumi.output(undefined);
    let playbackKeyPairId: pulumi.Output<string | undefined> = pulumi.output(undefined);
    if (args.cloudFront) {
      const oac = new aws.cloudfront.OriginAccessControl(
        `${name}-outputs`,
        { originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4", description: "transcode outputs" },
        opt,
      );
      const key = new aws.cloudfront.PublicKey(`${name}-playback`, { encodedKey: args.playbackPublicKeyPem!, comment: "playback signed URLs" }, opt);
      const keyGroup = new aws.cloudfront.KeyGroup(`${name}-playback`, { items: [key.id], comment: "playback signed URLs" }, opt);
      const distribution = new aws.cloudfront.Distribution(
        `${name}-outputs`,
        {
          enabled: true,
          comment: "transcode outputs",
          priceClass: args.priceClass ?? "PriceClass_100",
          origins: [{ originId: "outputs", domainName: outputs.bucketRegionalDomainName, originAccessControlId: oac.id }],
          defaultCacheBehavior: {
            targetOriginId: "outputs",
            viewerProtocolPolicy: "redirect-to-https",
            allowedMethods: ["GET", "HEAD", "OPTIONS"],
            cachedMethods: ["GET", "HEAD"],
            compress: true,
            cachePolicyId: CACHING_OPTIMIZED,
            originRequestPolicyId: CORS_S3_ORIGIN,
            responseHeadersPolicyId: SIMPLE_CORS,
            // Every request must carry a signature from the playback key: nothing is public.
            trustedKeyGroups: [keyGroup.id],
          },
          restrictions: { geoRestriction: { restrictionType: "none" } },
          viewerCertificate: { cloudfrontDefaultCertificate: true, minimumProtocolVersion: "TLSv1.2_2021" },
          tags: args.tags,
        },
        opt,
      );
      bucketPolicy(
        `${name}-outputs`,
        outputsB,
        pulumi.all([outputs.arn, distribution.arn]).apply(([a, d]) => [cloudFrontReadStatement(objectsUnder(a, this.outputsPrefix), d)]),
        this,
      );
      playbackDomainName = distribution.domainName;
      playbackKeyPairId = key.id;
    }

    this.uploadsBucketName = uploads.bucket;
    this.uploadsBucketArn = uploads.arn;
    this.outputsBucketName = outputs.bucket;
    this.outputsBucketArn = outputs.arn;
    this.playbackDomainName = playbackDomainName;
    this.playbackKeyPairId = playbackKeyPairId;
    this.registerOutputs({
      uploadsBucketName: this.uploadsBucketName,
      uploadsBucketArn: this.uploadsBucketArn,
      outputsBucketName: this.outputsBucketName,
      outputsBucketArn: this.outputsBucketArn,
      playbackDomainName,
      playbackKeyPairId,
    });
  }
}

/** Incomplete multipart uploads are discarded once the API has forgotten their plans (lib/uploads). */
function abortIncompleteMultipart(): aws.types.input.s3.BucketLifecycleConfigurationRule {
  const daysAfterInitiation = Math.max(1, Math.ceil(MULTIPART_LIFETIME_HOURS / 24));
  return { id: "abort-incomplete-multipart", status: "Enabled", filter: {}, abortIncompleteMultipartUpload: { daysAfterInitiation } };
}

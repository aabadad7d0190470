import type {
  S3Client} from "@aws-sdk/client-s3";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3ServiceException,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { GetPresigner, type GetSigner } from "./presign-get.js";

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

/** A multipart upload S3 still keeps parts for. */
export interface IncompleteUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

export interface ObjectInfo {
  size: number;
  contentType: string | undefined;
  etag: string | undefined;
  versionId: string | undefined;
}

/** The S3 side of uploads and downloads, as the API needs it. */
export interface UploadStorage {
  readonly uploadsBucket: string;
  presignPost(key: string, contentType: string, maxBytes: number, expiresSeconds: number): Promise<PresignedPost>;
  createMultipart(key: string, contentType: string): Promise<string>;
  /** A PUT URL for one part, valid only for a body of exactly `contentLength` bytes. */
  presignPart(key: string, uploadId: string, partNumber: number, contentLength: number, expiresSeconds: number): Promise<string>;
  completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void>;
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** The incomplete multipart uploads under `prefix`, page by page. */
  incompleteUploads(prefix: string): AsyncIterable<IncompleteUpload>;
  /** undefined when there is no such object. */
  head(key: string): Promise<ObjectInfo | undefined>;
  deleteObject(key: string): Promise<void>;
  /** Presigned GETs of `bucket` with one lifetime: one signer for many URLs (a response's downloads, a playlist's segments). */
  getSigner(bucket: string, expiresSeconds: number): Promise<GetSigner>;
  /** A small text object (a playlist); undefined when there is none; an object over `maxBytes` is an error. */
  readText(bucket: string, key: string, maxBytes: number): Promise<string | undefined>;
}

/** S3 says "not there" with several codes depending on the operation and the server. */
export function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  return err.$metadata.httpStatusCode === 404 || ["NotFound", "NoSuchKey", "NoSuchUpload"].includes(err.name);
}

export class S3UploadStorage implements UploadStorage {
  private readonly gets: GetPresigner;
  constructor(
    private readonly s3: S3Client,
    readonly uploadsBucket: string,
  ) {
    this.gets = new GetPresigner(s3);
  }

  async presignPost(key: string, contentType: string, maxBytes: number, expiresSeconds: number): Promise<PresignedPost> {
    // The policy, checked by S3 itself on upload: exactly this key (under the caller's prefix), exactly this
    // video/* or audio/* type (every field is an exact-match condition), and 1..maxBytes bytes. Changing any
    // field in the form voids the signature.
    const post = await createPresignedPost(this.s3, {
      Bucket: this.uploadsBucket,
      Key: key,
      Conditions: [["content-length-range", 1, maxBytes]],
      Fields: { "Content-Type": contentType },
      Expires: expiresSeconds,
    });
    return { url: post.url, fields: post.fields };
  }

  async createMultipart(key: string, contentType: string): Promise<string> {
    const out = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.uploadsBucket, Key: key, ContentType: contentType }));
    if (!out.UploadId) throw new Error("S3 returned no UploadId");
    return out.UploadId;
  }

  presignPart(key: string, uploadId: string, partNumber: number, contentLength: number, expiresSeconds: number): Promise<string> {
    // Content-Length is a signed header: S3 (and MinIO) refuse a PUT of any other length with a signature
    // mismatch, so each part is exactly as large as planned and the upload as large as declared.
    return getSignedUrl(
      this.s3,
      new UploadPartCommand({ Bucket: this.uploadsBucket, Key: key, UploadId: uploadId, PartNumber: partNumber, ContentLength: contentLength }),
      { expiresIn: expiresSeconds, signableHeaders: new Set(["content-length"]) },
    );
  }

  async completeMultipart(key: string, uploadId: string, parts: { partNumber: number; etag: string }[]): Promise<void> {
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.uploadsBucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
  }

  async abortMultipart(key: string, uploadId: string): Promise<void> {
    await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.uploadsBucket, Key: key, UploadId: uploadId }));
  }

  async *incompleteUploads(prefix: string): AsyncIterable<IncompleteUpload> {
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.s3.send(
        // No Prefix in the request: MinIO lists nothing for a prefix that is not a whole key; filtered here instead.
        new ListMultipartUploadsCommand({ Bucket: this.uploadsBucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
      );
      for (const u of page.Uploads ?? []) {
        if (u.Key?.startsWith(prefix) && u.UploadId && u.Initiated) yield { key: u.Key, uploadId: u.UploadId, initiated: u.Initiated };
      }
      if (!page.IsTruncated) return;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    try {
      const h = await this.s3.send(new HeadObjectCommand({ Bucket: this.uploadsBucket, Key: key }));
      return { size: h.ContentLength ?? 0, contentType: h.ContentType, etag: h.ETag, versionId: h.VersionId };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async deleteObject(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.uploadsBucket, Key: key }));
  }

  getSigner(bucket: string, expiresSeconds: number): Promise<GetSigner> {
    return this.gets.signer(bucket, expiresSeconds);
  }

  async readText(bucket: string, key: string, maxBytes: number): Promise<string | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if ((out.ContentLength ?? 0) > maxBytes) {
        (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new Error(`s3://${bucket}/${key} is ${out.ContentLength} bytes, more than the ${maxBytes} expected`);
      }
      return await out.Body?.transformToString("utf8");
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

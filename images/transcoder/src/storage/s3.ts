import { createReadStream, createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import type { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { TransientError } from "../../../../lib/errors/index.js";
import { BadInputError } from "../errors.js";
import { contentHeaders } from "./content-types.js";

export interface S3Options {
  region: string;
  endpoint?: string | undefined;
  forcePathStyle?: boolean | undefined;
}

/** Credentials come from the default chain: the ECS task role, or the AWS_* env the local launcher passes on. */
export function createS3Client(opts: S3Options): S3Client {
  return new S3Client({
    region: opts.region,
    endpoint: opts.endpoint,
    forcePathStyle: opts.forcePathStyle ?? false,
    maxAttempts: 5,
  });
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.name === "NotFound" || err.name === "NoSuchKey" || err.$metadata.httpStatusCode === 404)
  );
}

function transient(what: string, err: unknown): TransientError {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new TransientError(`${what} failed: ${msg}`, undefined, { cause: err });
}

export interface SourceRef {
  bucket: string;
  key: string;
  versionId?: string | undefined;
}

/** Downloads the source to `file`; a missing object or one over `maxBytes` is bad input, anything else transient. */
export async function downloadSource(
  s3: S3Client,
  src: SourceRef,
  file: string,
  opts: { maxBytes?: number | undefined; signal?: AbortSignal | undefined } = {},
): Promise<{ sizeBytes: number; etag: string | undefined }> {
  let size: number;
  let etag: string | undefined;
  try {
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: src.bucket, Key: src.key, VersionId: src.versionId }),
      { abortSignal: opts.signal },
    );
    size = head.ContentLength ?? 0;
    etag = head.ETag;
  } catch (err) {
    if (isNotFound(err))
      throw new BadInputError("SourceNotFound", `The source object s3://${src.bucket}/${src.key} does not exist.`);
    throw transient("reading the source's metadata", err);
  }
  if (opts.maxBytes !== undefined && size > opts.maxBytes)
    throw new BadInputError("TooBig", `The file is ${size} bytes; the limit (maxSourceBytes) is ${opts.maxBytes} bytes.`);
  try {
    const res = await s3.send(
      new GetObjectCommand({ Bucket: src.bucket, Key: src.key, VersionId: src.versionId, IfMatch: etag }),
      { abortSignal: opts.signal },
    );
    if (!res.Body) throw new Error("empty response body");
    await pipeline(res.Body as Readable, createWriteStream(file), { signal: opts.signal });
  } catch (err) {
    if (isNotFound(err))
      throw new BadInputError("SourceNotFound", `The source object s3://${src.bucket}/${src.key} does not exist.`);
    throw transient("downloading the source", err);
  }
  return { sizeBytes: size, etag };
}

export interface UploadItem {
  file: string;
  key: string;
}

/**
 * Uploads files with lib-storage (multipart for large ones, parts in parallel), `concurrency` files at a time.
 * Resolves to the keys written; on failure rejects with TransientError after the in-flight uploads settle.
 */
export async function uploadFiles(
  s3: S3Client,
  bucket: string,
  items: UploadItem[],
  opts: { concurrency?: number; signal?: AbortSignal | undefined; onUploaded?: (item: UploadItem) => void } = {},
): Promise<void> {
  const queue = [...items];
  let failure: unknown;
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item && failure === undefined; item = queue.shift()) {
      const { contentType, cacheControl } = contentHeaders(item.key);
      const upload = new Upload({
        client: s3,
        params: {
          Bucket: bucket,
          Key: item.key,
          Body: createReadStream(item.file),
          ContentType: contentType,
          CacheControl: cacheControl,
        },
        queueSize: 4,
        partSize: 8 * 1024 * 1024,
        leavePartsOnError: false,
        abortController: undefined,
      });
      const onAbort = (): void => void upload.abort().catch(() => undefined);
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      try {
        await upload.done();
        opts.onUploaded?.(item);
      } catch (err) {
        failure ??= err;
      } finally {
        opts.signal?.removeEventListener("abort", onAbort);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 6) }, worker));
  if (failure !== undefined) throw transient("uploading outputs", failure);
}

/** Best-effort removal of keys (a failed attempt's partial outputs). Returns the keys that could not be deleted. */
export async function deleteKeys(s3: S3Client, bucket: string, keys: string[]): Promise<string[]> {
  const left: string[] = [];
  for (let i = 0; i < keys.length; i += 1000) {
    const batch = keys.slice(i, i + 1000);
    try {
      const res = await s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
      );
      for (const e of res.Errors ?? []) if (e.Key) left.push(e.Key);
    } catch {
      left.push(...batch);
    }
  }
  return left;
}

export async function deleteSource(s3: S3Client, src: SourceRef): Promise<void> {
  try {
    await s3.send(new DeleteObjectCommand({ Bucket: src.bucket, Key: src.key, VersionId: src.versionId }));
  } catch (err) {
    if (!isNotFound(err)) throw transient("deleting the source", err);
  }
}

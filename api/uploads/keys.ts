import { randomUUID } from "node:crypto";
import { z } from "zod";

/** Contract 3: uploads/<ownerId>/<uploadId>/<filename>. */
export const UPLOADS_ROOT = "uploads/";

export const Filename = z
  .string()
  .min(1)
  .max(200, "must be at most 200 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may contain only letters, digits, '.', '_' and '-', and must start with a letter or digit");

export const VideoContentType = z
  .string()
  .max(100)
  .regex(/^video\/[a-z0-9][a-z0-9.+-]*$/, "must be a video/* media type, e.g. video/mp4");

export function ownerPrefix(ownerId: string): string {
  return `${UPLOADS_ROOT}${ownerId}/`;
}

export function newUploadKey(ownerId: string, filename: string, uploadId: string = randomUUID()): { key: string; uploadId: string } {
  return { key: `${ownerPrefix(ownerId)}${uploadId}/${filename}`, uploadId };
}

const KEY_SHAPE = /^uploads\/([a-z0-9-]{1,63})\/([a-z0-9-]{1,64})\/([A-Za-z0-9][A-Za-z0-9._-]{0,199})$/;

/** True when `key` has the contract's shape and lies under `ownerId`'s own prefix. */
export function isOwnedUploadKey(ownerId: string, key: string): boolean {
  const m = KEY_SHAPE.exec(key);
  return m !== null && m[1] === ownerId;
}

/** The S3 key schema used in request bodies: the shape is checked here, ownership in the handler. */
export const UploadKey = z
  .string()
  .max(400)
  .regex(KEY_SHAPE, "must be an uploads/<owner>/<uploadId>/<filename> key returned by the uploads endpoints");

import { z } from "zod";
import { OWNER_ID_PATTERN } from "./keys.js";

/**
 * One upload event on the stream (the upload-to-job contract, lib/uploads). Written by the lambda, the local webhook receiver and the
 * legacy-list drain; read by the bridge. Everything the bridge needs to create the job is in the entry, so
 * the bridge never has to look at S3.
 */
export const uploadEntrySchema = z.object({
  /** Schema version of this entry, so a future change can be read side by side. */
  v: z.literal(1),
  idempotencyKey: z.string().min(3),
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().optional(),
  etag: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  contentType: z.string().optional(),
  ownerId: z.string().regex(OWNER_ID_PATTERN),
  uploadId: z.string().min(1),
  filename: z.string().min(1),
  eventTime: z.string().optional(),
  /** Where the event came from: the AWS lambda, MinIO's webhook, or the original service's Redis list. */
  origin: z.enum(["s3", "minio", "legacy"]),
});
export type UploadEntry = z.infer<typeof uploadEntrySchema>;

/** Field names on the stream entry. `entry` is the JSON; `idem` duplicates the key for XRANGE readers. */
export const ENTRY_FIELD = "entry";
export const IDEM_FIELD = "idem";

export function encodeEntryFields(entry: UploadEntry): string[] {
  return [IDEM_FIELD, entry.idempotencyKey, ENTRY_FIELD, JSON.stringify(entry)];
}

export type EntryDecode = { ok: true; entry: UploadEntry } | { ok: false; error: string };

/** Reads a stream entry's flat field list; a malformed entry yields a message for the dead-letter stream. */
export function decodeEntryFields(fields: readonly string[] | null | undefined): EntryDecode {
  if (!fields) return { ok: false, error: "entry has no fields (deleted from the stream?)" };
  let raw: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === ENTRY_FIELD) raw = fields[i + 1];
  }
  if (raw === undefined) return { ok: false, error: `entry has no "${ENTRY_FIELD}" field` };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: `"${ENTRY_FIELD}" is not JSON` };
  }
  const parsed = uploadEntrySchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, error: `invalid entry: ${z.prettifyError(parsed.error).replace(/\n/g, "; ")}` };
  }
  return { ok: true, entry: parsed.data };
}

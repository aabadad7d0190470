import type { Logger } from "../../lib/log.js";
import type { MultipartPlans } from "./plans.js";
import type { UploadStorage } from "./storage.js";

export interface SweepOptions {
  /** Only uploads under this prefix (the uploads prefix). */
  prefix: string;
  /** Uploads initiated longer ago than this are aborted. */
  maxAgeMs: number;
  now?: () => number;
}

/**
 * Aborts the multipart uploads nobody completed within their lifetime, and forgets their plans. On AWS the bucket's
 * lifecycle rule does the same, a day after initiation; MinIO's stale-upload expiry (MINIO_API_STALE_UPLOADS_*) was
 * not seen to discard anything within 3 minutes at a 1 s expiry and a 10 s interval, so the API does not count on
 * the storage: this sweep is what makes an abandoned upload cost nothing past its lifetime everywhere. An abort that
 * loses a race (completed meanwhile, or aborted by another API replica) is no error.
 */
export async function sweepIncompleteUploads(storage: UploadStorage, plans: MultipartPlans, o: SweepOptions, log: Logger): Promise<number> {
  const cutoff = (o.now ?? Date.now)() - o.maxAgeMs;
  let aborted = 0;
  for await (const u of storage.incompleteUploads(o.prefix)) {
    if (u.initiated.getTime() > cutoff) continue;
    try {
      await storage.abortMultipart(u.key, u.uploadId);
      aborted++;
    } catch (err) {
      log.debug({ key: u.key, err: (err as Error).message }, "incomplete upload not aborted (gone meanwhile?)");
    }
    await plans.delete(u.uploadId);
  }
  if (aborted) log.info({ aborted }, "aborted incomplete multipart uploads past their lifetime");
  return aborted;
}

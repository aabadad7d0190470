import { createHash } from "node:crypto";

/** The upload stream's default name. Configurable so tests (and a second deployment) use a prefix of their own. */
export const DEFAULT_UPLOADS_STREAM = "tj:uploads";
/** The original service's Redis list of {key, objectUrl} JSON items. */
export const LEGACY_LIST = "VideoJobs";

/** Every Redis key derived from one stream name, in one place so lambda, receiver and bridge agree. */
export interface StreamKeys {
  stream: string;
  /** Entries that failed too often or cannot be read, each with its error. */
  deadLetter: string;
  /** Last error per pending entry id, so the dead-letter record can say why. */
  errors: string;
  dedupe(idempotencyKey: string): string;
}

export function streamKeys(stream: string = DEFAULT_UPLOADS_STREAM): StreamKeys {
  return {
    stream,
    deadLetter: `${stream}:dead`,
    errors: `${stream}:errors`,
    dedupe: (idem) => `${stream}:idem:${createHash("sha256").update(idem, "utf8").digest("hex")}`,
  };
}

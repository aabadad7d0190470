import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { z } from "zod";

const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10000;

/**
 * What POST /uploads/multipart planned for an upload, kept server-side: the part URLs are signed from it (each for
 * its exact size), never from what a later request claims, so the object cannot outgrow the size declared up front.
 */
export const MultipartPlan = z.object({
  key: z.string(),
  size: z.number().int().positive(),
  partSize: z.number().int().positive(),
  partCount: z.number().int().positive(),
});
export type MultipartPlan = z.infer<typeof MultipartPlan>;

/** Part size for a multipart upload: S3's 5 MiB minimum, grown so the file fits in 10,000 parts. */
export function planParts(size: number): { partSize: number; partCount: number } {
  const partSize = Math.max(MIN_PART, Math.ceil(size / MAX_PARTS / MIN_PART) * MIN_PART);
  return { partSize, partCount: Math.max(1, Math.ceil(size / partSize)) };
}

/** The exact size of part `n` (1-based) of a plan: every part is partSize but the last, which holds the rest. */
export function partLength(plan: MultipartPlan, n: number): number {
  return n < plan.partCount ? plan.partSize : plan.size - (plan.partCount - 1) * plan.partSize;
}

export interface MultipartPlans {
  save(uploadId: string, plan: MultipartPlan, ttlSeconds: number): Promise<void>;
  /** undefined when there is none (never planned here, completed, aborted, or expired). */
  get(uploadId: string): Promise<MultipartPlan | undefined>;
  delete(uploadId: string): Promise<void>;
}

/** Plans in Redis under the API's prefix, one key per S3 upload id (hashed: S3's ids run to hundreds of characters). */
export class RedisMultipartPlans implements MultipartPlans {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(uploadId: string): string {
    return `${this.prefix}multipart:${createHash("sha256").update(uploadId).digest("base64url")}`;
  }

  async save(uploadId: string, plan: MultipartPlan, ttlSeconds: number): Promise<void> {
    await this.redis.set(this.key(uploadId), JSON.stringify(plan), "EX", ttlSeconds);
  }

  async get(uploadId: string): Promise<MultipartPlan | undefined> {
    const raw = await this.redis.get(this.key(uploadId));
    if (raw === null) return undefined;
    // Written by this API only; a record that does not parse is treated as absent rather than trusted.
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return undefined;
    }
    const parsed = MultipartPlan.safeParse(value);
    return parsed.success ? parsed.data : undefined;
  }

  async delete(uploadId: string): Promise<void> {
    await this.redis.del(this.key(uploadId));
  }
}

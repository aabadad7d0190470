import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { encodeEntryFields, type UploadEntry } from "./entry.js";
import { streamKeys, type StreamKeys } from "./stream-keys.js";

/** The port the ingest core writes through: append one upload, at most once per idempotency key. */
export interface UploadStream {
  append(entry: UploadEntry): Promise<AppendResult>;
}
export interface AppendResult {
  /** The stream entry id (the original one when this append was a duplicate). */
  id: string;
  duplicate: boolean;
}

/**
 * Check-and-append in one script so two concurrent deliveries of the same event cannot both append:
 * Redis runs a script atomically. The dedupe key remembers the entry id for `ttl` seconds; past that the
 * bridge's deterministic job name still keeps a late redelivery from creating a second job.
 */
const APPEND_ONCE = `
local existing = redis.call('GET', KEYS[2])
if existing then return {existing, 1} end
local id = redis.call('XADD', KEYS[1], '*', unpack(ARGV, 2))
redis.call('SET', KEYS[2], id, 'EX', tonumber(ARGV[1]))
return {id, 0}
`;
const APPEND_ONCE_SHA = createHash("sha1").update(APPEND_ONCE).digest("hex");

export const DEFAULT_DEDUPE_TTL_SECONDS = 7 * 24 * 3600;

export interface RedisUploadStreamOptions {
  stream?: string;
  dedupeTtlSeconds?: number;
}

export class RedisUploadStream implements UploadStream {
  readonly keys: StreamKeys;
  private readonly ttl: number;

  constructor(
    private readonly redis: Redis,
    options: RedisUploadStreamOptions = {},
  ) {
    this.keys = streamKeys(options.stream);
    this.ttl = options.dedupeTtlSeconds ?? DEFAULT_DEDUPE_TTL_SECONDS;
  }

  async append(entry: UploadEntry): Promise<AppendResult> {
    const keys = [this.keys.stream, this.keys.dedupe(entry.idempotencyKey)];
    const args = [String(this.ttl), ...encodeEntryFields(entry)];
    let reply: unknown;
    try {
      reply = await this.redis.evalsha(APPEND_ONCE_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.includes("NOSCRIPT")) throw err;
      reply = await this.redis.eval(APPEND_ONCE, keys.length, ...keys, ...args);
    }
    if (!Array.isArray(reply) || typeof reply[0] !== "string") {
      throw new Error(`unexpected reply from the append script: ${JSON.stringify(reply)}`);
    }
    return { id: reply[0], duplicate: reply[1] === 1 };
  }
}

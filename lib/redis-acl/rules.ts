import { PROGRESS_KEY_PATTERN, RESULT_KEY_PATTERN, RESULTS_CHANNEL } from "../task-contract/index.js";
import { DEFAULT_UPLOADS_STREAM, LEGACY_LIST, streamKeys } from "../uploads/index.js";

/** The processes that each get a Redis user of their own. The upload webhook of the embedded mode is the lambda. */
export const REDIS_COMPONENTS = ["operator", "bridge", "api", "lambda", "task"] as const;
export type RedisComponent = (typeof REDIS_COMPONENTS)[number];

/** The configurable key names the rules are written from (each a setting of the processes that use it). */
export interface RedisKeyNames {
  /** UPLOADS_STREAM (lambda, webhook, bridge): the stream and its `:dead`, `:errors`, `:idem:*` keys. */
  uploadsStream: string;
  /** API_REDIS_PREFIX (api): sessions and the sign-in limiter. */
  apiPrefix: string;
  /** LEGACY_LIST (bridge): the original service's list and its `:processing` list. */
  legacyList: string;
}

export const DEFAULT_REDIS_KEY_NAMES: Readonly<RedisKeyNames> = {
  uploadsStream: DEFAULT_UPLOADS_STREAM,
  apiPrefix: "tj:api:",
  legacyList: LEGACY_LIST,
};

/**
 * What every user may do to its own connection: authenticate, name it, PING, QUIT, and INFO (ioredis's ready
 * check; it reveals counts, never key names). Not `+@connection`: that category holds CLIENT TRACKING, whose
 * broadcast mode announces the name of every key anyone modifies (session ids, other jobs' uids) to any user.
 */
const CONNECTION = ["resetchannels", "-@all", "+auth", "+ping", "+quit", "+client|setname", "+info"];

/**
 * Each component's Redis ACL rules, written from the keys, channels and commands its code uses (nothing else):
 *
 * - lambda: the dedupe-and-XADD script on the upload stream and its dedupe keys;
 * - bridge: the stream, its consumer group, dead letters, error hash and dedupe keys, the legacy lists;
 * - operator: reads progress and results, hears result notices; writes nothing;
 * - api: its own keys (sessions, limiter), reads progress and hears its channels (SSE);
 * - task: writes progress and results and announces them; reads nothing (`%W~`), subscribes to nothing, so it cannot
 *   learn another job's uid from Redis.
 *
 * The same strings are the ElastiCache users' access strings (infra/data/redis-acl.ts, with "on" first) and the
 * embedded stack's users (stack/services/redis.ts). Rules apply left to right.
 */
export function redisAclRules(names: RedisKeyNames = DEFAULT_REDIS_KEY_NAMES): Record<RedisComponent, string[]> {
  const uploads = streamKeys(names.uploadsStream);
  // The dedupe keys' pattern from their own layout (<stream>:idem:<sha256>): the hash of anything, replaced by "*".
  const dedupe = uploads.dedupe("*").replace(/[0-9a-f]{64}$/, "*");
  const script = ["+eval", "+evalsha", "+get", "+set"];
  return {
    lambda: [...CONNECTION, `~${uploads.stream}`, `~${dedupe}`, "+xadd", ...script],
    bridge: [
      ...CONNECTION,
      `~${uploads.stream}`,
      `~${uploads.deadLetter}`,
      `~${uploads.errors}`,
      `~${dedupe}`,
      `~${names.legacyList}`,
      `~${names.legacyList}:processing`,
      ...["+xgroup|create", "+xgroup|delconsumer", "+xreadgroup", "+xclaim", "+xautoclaim", "+xack", "+xpending"],
      ...["+xinfo|groups", "+xinfo|consumers", "+xadd", "+xdel", "+xrange", "+xlen", "+xtrim"],
      ...["+hset", "+hget", "+hdel", "+lrange", "+lmove", "+lrem", "+multi", "+exec"],
      ...script,
    ],
    operator: [...CONNECTION, `%R~${PROGRESS_KEY_PATTERN}`, `%R~${RESULT_KEY_PATTERN}`, `&${RESULTS_CHANNEL}`, "+hgetall", "+get", "+subscribe", "+unsubscribe"],
    api: [
      ...CONNECTION,
      `~${names.apiPrefix}*`,
      `%R~${PROGRESS_KEY_PATTERN}`,
      `&${PROGRESS_KEY_PATTERN}`,
      ...["+get", "+set", "+del", "+incr", "+expire", "+pttl", "+multi", "+exec", "+hgetall", "+subscribe", "+unsubscribe"],
      // The per-user session index (api/auth/session-store.ts); the sign-in limiter's scripts (api/auth/limiter.ts).
      ...["+sadd", "+srem", "+smembers", "+pexpire", "+decr", "+eval", "+evalsha"],
    ],
    task: [
      ...CONNECTION,
      `%W~${PROGRESS_KEY_PATTERN}`,
      `%W~${RESULT_KEY_PATTERN}`,
      `&${PROGRESS_KEY_PATTERN}`,
      `&${RESULTS_CHANNEL}`,
      ...["+hset", "+expire", "+set", "+publish", "+multi", "+exec"],
    ],
  };
}

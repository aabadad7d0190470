import type { RedisClient } from "../types.js";

/**
 * Each process's Redis user: the keys and channels it touches (lib/task-contract/redis-keys.ts, lib/uploads,
 * api/config.ts API_REDIS_PREFIX) and no administrative or dangerous commands. Redis ACL syntax as ElastiCache
 * accepts it; rules apply left to right, so `+info` after `-@dangerous` re-allows the one ioredis's ready check sends.
 */
const BASE = "on resetchannels -@all +@connection";
const NO_ADMIN = "-@dangerous +info";

export const REDIS_ACCESS: Record<RedisClient, string> = {
  // XADD of an upload once, through the dedupe script (EVAL/EVALSHA touching only these keys).
  lambda: `${BASE} ~tj:uploads ~tj:uploads:idem:* +@scripting +xadd +set +exists +get ${NO_ADMIN}`,
  // Its stream and consumer group, plus the legacy "VideoJobs" list it may drain.
  bridge: `${BASE} ~tj:uploads ~tj:uploads:* ~VideoJobs +@stream +@list +@keyspace +@read +@write +@scripting ${NO_ADMIN}`,
  // Progress and results of every task, and the results channel.
  operator: `${BASE} ~tj:progress:* ~tj:result:* &tj:progress:* &tj:results +@read +@write +@hash +@string +@keyspace +@pubsub +@transaction ${NO_ADMIN}`,
  // Sessions and login limiter under its own prefix; progress (read) and its live channel for SSE.
  api: `${BASE} ~tj:api:* ~tj:progress:* &tj:progress:* +@read +@write +@hash +@string +@keyspace +@pubsub +@scripting +@transaction ${NO_ADMIN}`,
  // The task writes its own progress and result and announces it (SET + PUBLISH in MULTI).
  task: `${BASE} ~tj:progress:* ~tj:result:* &tj:progress:* &tj:results +@write +@hash +@string +publish +@transaction +expire ${NO_ADMIN}`,
};

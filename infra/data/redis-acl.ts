import { redisAclRules } from "../../lib/redis-acl/index.js";
import { REDIS_CLIENTS, type RedisClient } from "../types.js";

/**
 * Each process's ElastiCache user: the rules the code's own key names are written into (lib/redis-acl, the same
 * rules the embedded stack's Redis and the tests run with), "on" first. ElastiCache takes Redis ACL syntax without
 * passwords (set on the user) and without `reset`; the task's write-only key patterns (`%W~`) need Redis OSS 7.
 */
const RULES = redisAclRules();

export const REDIS_ACCESS: Record<RedisClient, string> = Object.fromEntries(REDIS_CLIENTS.map((c) => [c, ["on", ...RULES[c]].join(" ")])) as Record<RedisClient, string>;

import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { DEFAULT_REDIS_KEY_NAMES, newRedisPassword, redisAclRules, redisUrlAs, setAclUser, type RedisComponent, type RedisKeyNames } from "../../lib/redis-acl/index.js";
import { testEnv } from "../env/index.js";

export interface SuiteRedisUser {
  name: string;
  url: string;
  /** Deletes the user (its open connections are closed by Redis). */
  remove(): Promise<void>;
}

/**
 * A Redis user with `component`'s rules (lib/redis-acl) written from this suite's own key names, so that a suite
 * isolated by a stream name or a key prefix of its own still runs the component under test with exactly the
 * rights it has in production. Created and removed through the admin URL.
 */
export async function suiteRedisUser(component: RedisComponent, names: Partial<RedisKeyNames> = {}): Promise<SuiteRedisUser> {
  const admin = testEnv().redis.url;
  const name = `${component}-${randomUUID().slice(0, 8)}`;
  const password = newRedisPassword();
  const redis = new Redis(admin, { maxRetriesPerRequest: 1 });
  try {
    await setAclUser(redis, { name, password, rules: redisAclRules({ ...DEFAULT_REDIS_KEY_NAMES, ...names })[component] });
  } finally {
    redis.disconnect();
  }
  return {
    name,
    url: redisUrlAs(admin, name, password),
    async remove() {
      const r = new Redis(admin, { maxRetriesPerRequest: 1 });
      try {
        await r.call("ACL", "DELUSER", name);
      } finally {
        r.disconnect();
      }
    },
  };
}

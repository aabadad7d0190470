import type { Redis } from "ioredis";

/**
 * koa-session's external store in Redis: one key per session id with the session's max age as TTL, so a
 * session dies in Redis even if nobody logs out, and logout (destroy) revokes it at once.
 */
export function redisSessionStore(redis: Redis, prefix: string) {
  const key = (id: string) => `${prefix}sess:${id}`;
  return {
    async get(id: string): Promise<Record<string, unknown> | undefined> {
      const raw = await redis.get(key(id));
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    },
    async set(id: string, sess: Record<string, unknown>, maxAge: number | "session" | undefined): Promise<void> {
      const ttl = typeof maxAge === "number" && maxAge > 0 ? maxAge : 24 * 3600 * 1000;
      await redis.set(key(id), JSON.stringify(sess), "PX", ttl);
    },
    async destroy(id: string): Promise<void> {
      await redis.del(key(id));
    },
  };
}

import type { Redis } from "ioredis";

/** How long a session lives: from its sign-in however active (absolute), and since its last request (idle). */
export interface SessionLifetime {
  absoluteMs: number;
  idleMs: number;
}

/** What this API keeps in a session besides koa-session's own fields. */
interface StoredSession {
  uid?: unknown;
  createdAt?: unknown;
  seenAt?: unknown;
}

/** When a session ends: its absolute or its idle deadline, whichever is first; 0 for one without its times. */
export function sessionDeadline(s: StoredSession, life: SessionLifetime): number {
  if (typeof s.createdAt !== "number" || typeof s.seenAt !== "number") return 0;
  return Math.min(s.createdAt + life.absoluteMs, s.seenAt + life.idleMs);
}

export type SessionStore = ReturnType<typeof redisSessionStore>;

/**
 * koa-session's external store in Redis: one key per session id that expires with the session (its absolute or idle
 * deadline, whichever is first), so a session dies in Redis even if nobody signs out, and sign-out (destroy)
 * revokes it at once. Each user's session ids are indexed in a set, so signing out everywhere ends them all.
 */
export function redisSessionStore(redis: Redis, prefix: string, life: SessionLifetime, now: () => number = Date.now) {
  const key = (id: string) => `${prefix}sess:${id}`;
  const index = (uid: string) => `${prefix}user-sess:${uid}`;
  const read = async (id: string): Promise<(Record<string, unknown> & StoredSession) | undefined> => {
    const raw = await redis.get(key(id));
    if (raw === null) return undefined;
    try {
      return JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  return {
    get: read,
    async set(id: string, given: Record<string, unknown> & StoredSession): Promise<void> {
      // A session saved without its times (none of this API's, but koa-session may save one) starts now.
      const t = now();
      const sess = { ...given, createdAt: typeof given.createdAt === "number" ? given.createdAt : t, seenAt: typeof given.seenAt === "number" ? given.seenAt : t };
      const ttl = sessionDeadline(sess, life) - t;
      const uid = typeof sess.uid === "string" ? sess.uid : undefined;
      if (ttl <= 0) {
        await this.destroy(id);
        return;
      }
      const m = redis.multi().set(key(id), JSON.stringify(sess), "PX", ttl);
      // The index outlives each of its sessions; members whose session is gone are skipped and dropped on use.
      if (uid) m.sadd(index(uid), id).pexpire(index(uid), life.absoluteMs);
      await m.exec();
    },
    async destroy(id: string): Promise<void> {
      const sess = await read(id);
      const m = redis.multi().del(key(id));
      if (typeof sess?.uid === "string") m.srem(index(sess.uid), id);
      await m.exec();
    },
    /** Ends every session of `uid` at once; returns how many were alive. */
    async destroyAll(uid: string): Promise<number> {
      const ids = await redis.smembers(index(uid));
      if (ids.length === 0) return 0;
      // SREM of these ids, not DEL of the set: a sign-in meanwhile keeps its own entry.
      const replies = await redis.multi().del(...ids.map(key)).srem(index(uid), ...ids).exec();
      return Number(replies?.[0]?.[1] ?? 0);
    },
    /** True while session `id` is `uid`'s and neither deadline has passed (what an open stream re-checks). */
    async alive(id: string, uid: string): Promise<boolean> {
      const sess = await read(id);
      return sess?.uid === uid && sessionDeadline(sess, life) > now();
    },
  };
}

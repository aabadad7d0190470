import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface LoginLimits {
  /** Failed sign-ins of one account from one address per window: then that address waits. */
  maxFailuresPerSource: number;
  /** Sign-in and sign-up attempts from one address per window. */
  maxAttemptsPerIp: number;
  windowSeconds: number;
  /** The backstop: failed sign-ins of one account from every address per accountWindowSeconds. */
  maxFailuresPerAccount: number;
  accountWindowSeconds: number;
}

export interface LoginLimiter {
  /**
   * Reserves one sign-in attempt of `account` from `ip` before its password is verified, atomically: it counts as a
   * failure (of the address, of the account from that address, and of the account everywhere) until succeed() says
   * otherwise, so parallel guesses cannot all pass a check made before any of them is counted. Seconds to wait, or 0
   * when the attempt may go ahead.
   */
  reserve(account: string, ip: string): Promise<number>;
  /** The reserved attempt was the right password: the account's failures from `ip` are forgotten, its backstop count undone. */
  succeed(account: string, ip: string): Promise<void>;
  /** Reserves one attempt from `ip` alone (sign-up hashes a password too); seconds to wait, or 0. */
  attempt(ip: string): Promise<number>;
}

const hashId = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

/**
 * One script: every counter is below its limit, or nothing is counted and the longest wait is returned (ms); else
 * every counter is incremented, each window starting at its first hit. KEYS[i] with ARGV[2i-1] = limit, ARGV[2i] =
 * window in seconds.
 */
const RESERVE = `
local wait = 0
for i, key in ipairs(KEYS) do
  local max = tonumber(ARGV[2 * i - 1])
  if tonumber(redis.call('GET', key) or '0') >= max then
    local ttl = redis.call('PTTL', key)
    if ttl < 0 then ttl = tonumber(ARGV[2 * i]) * 1000 end
    if ttl > wait then wait = ttl end
  end
end
if wait > 0 then return wait end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, ARGV[2 * i], 'NX')
end
return 0
`;

/** Undoes one reservation of KEYS[1] (never below zero, never creating the key) and forgets KEYS[2]. */
const RELEASE = `
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
redis.call('DEL', KEYS[2])
return 0
`;

type ScriptRedis = Redis & {
  tjLoginReserve(numKeys: number, ...args: (string | number)[]): Promise<number>;
  tjLoginRelease(k1: string, k2: string): Promise<number>;
};

/**
 * Fixed-window counters in Redis shared by every API replica, reserved atomically (one Lua script) before a password
 * is verified: attempts per address, failures per account and address (the lockout an attacker elsewhere cannot
 * trigger for the owner), failures per account everywhere (a slower backstop against a distributed guess). Keys hold
 * hashes, never the raw email or address.
 */
export class RedisLoginLimiter implements LoginLimiter {
  private readonly r: ScriptRedis;
  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limits: LoginLimits,
  ) {
    if (!("tjLoginReserve" in redis)) {
      redis.defineCommand("tjLoginReserve", { lua: RESERVE });
      redis.defineCommand("tjLoginRelease", { numberOfKeys: 2, lua: RELEASE });
    }
    this.r = redis as ScriptRedis;
  }

  private ipKey(ip: string) {
    return `${this.prefix}rl:ip:${hashId(ip)}`;
  }
  private sourceKey(account: string, ip: string) {
    return `${this.prefix}rl:src:${hashId(`${account}\n${ip}`)}`;
  }
  private accountKey(account: string) {
    return `${this.prefix}rl:acct:${hashId(account)}`;
  }

  private async reserveKeys(keys: [key: string, max: number, windowSeconds: number][]): Promise<number> {
    const ms = Number(await this.r.tjLoginReserve(keys.length, ...keys.map((k) => k[0]), ...keys.flatMap((k) => [k[1], k[2]])));
    return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 0;
  }

  reserve(account: string, ip: string): Promise<number> {
    const l = this.limits;
    return this.reserveKeys([
      [this.ipKey(ip), l.maxAttemptsPerIp, l.windowSeconds],
      [this.sourceKey(account, ip), l.maxFailuresPerSource, l.windowSeconds],
      [this.accountKey(account), l.maxFailuresPerAccount, l.accountWindowSeconds],
    ]);
  }
  attempt(ip: string): Promise<number> {
    return this.reserveKeys([[this.ipKey(ip), this.limits.maxAttemptsPerIp, this.limits.windowSeconds]]);
  }
  async succeed(account: string, ip: string): Promise<void> {
    await this.r.tjLoginRelease(this.accountKey(account), this.sourceKey(account, ip));
  }
}

/** A per-client request budget: seconds to wait before the next request may go ahead, 0 when this one may. */
export interface RequestLimiter {
  hit(client: string): Promise<number>;
}

/**
 * Fixed-window request counters in Redis shared by every API replica (one per API token): INCR, the window's expiry
 * set by the first hit only, in one MULTI.
 */
export class RedisRequestLimiter implements RequestLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: { maxRequests: number; windowSeconds: number },
  ) {}

  async hit(client: string): Promise<number> {
    const key = `${this.prefix}rl:token:${hashId(client)}`;
    const res = await this.redis.multi().incr(key).expire(key, this.limits.windowSeconds, "NX").pttl(key).exec();
    const count = Number(res?.[0]?.[1] ?? 0);
    if (count <= this.limits.maxRequests) return 0;
    const pttl = Number(res?.[2]?.[1] ?? -1);
    return Math.max(1, Math.ceil((pttl > 0 ? pttl : this.limits.windowSeconds * 1000) / 1000));
  }
}

import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface LoginLimits {
  maxFailuresPerSource: number;
  maxAttemptsPerIp: number;
  windowSeconds: number;
}

export interface LoginLimiter {
  /** Seconds to wait before another attempt is allowed, or 0 when the attempt may go ahead. */
  check(account: string, ip: string): Promise<number>;
  /** Counts one attempt from `ip` (every attempt, so a spray over many accounts is limited too). */
  attempt(ip: string): Promise<void>;
  fail(account: string): Promise<void>;
  succeed(account: string): Promise<void>;
}

const hashId = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);

/**
 * Fixed-window counters in Redis shared by every API replica: failed logins per account, attempts per IP.
 * Keys hold hashes, never the raw email, so the rate-limit keyspace leaks no addresses.
 */
export class RedisLoginLimiter implements LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limits: LoginLimits,
  ) {}

  private accountKey(account: string) {
    return `${this.prefix}rl:acct:${hashId(account)}`;
  }
  private ipKey(ip: string) {
    return `${this.prefix}rl:ip:${hashId(ip)}`;
  }

  async check(account: string, ip: string): Promise<number> {
    const a = this.accountKey(account);
    const i = this.ipKey(ip);
    const res = await this.redis.multi().get(a).pttl(a).get(i).pttl(i).exec();
    const val = (n: number) => res?.[n]?.[1];
    const waitFor = (count: unknown, pttl: unknown, max: number): number => {
      const c = Number(count ?? 0);
      if (c < max) return 0;
      const ms = typeof pttl === "number" && pttl > 0 ? pttl : this.limits.windowSeconds * 1000;
      return Math.max(1, Math.ceil(ms / 1000));
    };
    return Math.max(
      waitFor(val(0), val(1), this.limits.maxFailuresPerSource),
      waitFor(val(2), val(3), this.limits.maxAttemptsPerIp),
    );
  }

  private async bump(key: string): Promise<void> {
    // NX on the expiry: the window starts at the first hit and is not extended by later ones.
    await this.redis.multi().incr(key).expire(key, this.limits.windowSeconds, "NX").exec();
  }

  attempt(ip: string): Promise<void> {
    return this.bump(this.ipKey(ip));
  }
  fail(account: string): Promise<void> {
    return this.bump(this.accountKey(account));
  }
  async succeed(account: string): Promise<void> {
    await this.redis.del(this.accountKey(account));
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

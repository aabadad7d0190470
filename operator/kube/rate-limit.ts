/**
 * client-go's DefaultControllerRateLimiter as pure functions of time: the later of a per-item exponential
 * backoff (5 ms doubling up to 1000 s) and a global token bucket (10 qps, burst 100).
 */

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 5, maxDelayMs: 1_000_000 };

/** Delay for the (failures+1)-th retry: base * 2^failures, capped (and safe from overflow). */
export function itemBackoffMs(failures: number, opts: BackoffOptions = DEFAULT_BACKOFF): number {
  if (failures < 0) failures = 0;
  // 2^60 already overflows any sane cap; stop before Infinity/NaN arithmetic.
  if (failures > 60) return opts.maxDelayMs;
  return Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** failures);
}

export interface TokenBucketOptions {
  /** Tokens added per second. */
  qps: number;
  /** Bucket size. */
  burst: number;
}

export const DEFAULT_BUCKET: TokenBucketOptions = { qps: 10, burst: 100 };

/**
 * A token bucket that lends into the future (like golang.org/x/time/rate Reserve): each take() returns how
 * long the caller must wait for its token; the bucket may go negative.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly opts: TokenBucketOptions,
    now: number,
  ) {
    if (!(opts.qps > 0) || !(opts.burst >= 1)) throw new RangeError("token bucket needs qps > 0 and burst >= 1");
    this.tokens = opts.burst;
    this.last = now;
  }
  take(now: number): number {
    const elapsed = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.opts.burst, this.tokens + (elapsed * this.opts.qps) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.opts.qps);
  }
}

/** Delay before attempt `failedAttempts + 1`: base, 2*base, 4*base ... capped. */
export function retryDelayMs(failedAttempts: number, baseMs: number, maxMs: number): number {
  if (failedAttempts <= 0) return 0;
  const exp = Math.min(failedAttempts - 1, 30);
  return Math.min(maxMs, baseMs * 2 ** exp);
}

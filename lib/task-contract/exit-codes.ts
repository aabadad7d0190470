/**
 * Exit codes of the transcoder task (ECS container or local child process). The operator decides retries from
 * these alone, so they are the sysexits.h values every process supervisor already understands.
 */
export const EXIT_OK = 0;
/** EX_DATAERR: the input can never be transcoded (corrupt, not media, too long, too big). Do not retry. */
export const EXIT_BAD_INPUT = 65;
/** EX_TEMPFAIL: something outside the input failed (S3, Redis, disk, a signal). Retrying may succeed. */
export const EXIT_RETRYABLE = 75;

export type TaskExitCode = typeof EXIT_OK | typeof EXIT_BAD_INPUT | typeof EXIT_RETRYABLE;

/** True when a task that ended with `code` may be launched again (unknown codes, e.g. an OOM kill, count as retryable). */
export function isRetryableExit(code: number | null | undefined): boolean {
  return code !== EXIT_OK && code !== EXIT_BAD_INPUT;
}

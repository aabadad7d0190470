import type { ToolRun } from "../media/index.js";
import { probeTimedOut } from "../limits/errors.js";

/** Throws when we stopped an ffprobe run: past probeTimeoutSeconds (bad input), or aborted/killed (the task's). */
export function throwIfStopped(run: ToolRun, timeoutSeconds: number): void {
  if (run.stoppedBy === "timeout") throw probeTimedOut(timeoutSeconds);
  if (run.stoppedBy !== undefined || run.signal !== null) throw new Error(`ffprobe was stopped (${run.stoppedBy ?? run.signal})`);
}

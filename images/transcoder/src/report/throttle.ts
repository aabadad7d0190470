import type { ProgressStage } from "../../../../lib/task-contract/index.js";

export interface ProgressUpdate {
  stage: ProgressStage;
  percent: number;
}

/**
 * Decides which progress updates are written: at most one per `intervalMs`, percent never going down, and the
 * final 100 always. Pure (the clock is passed in) so the rules are unit-tested.
 */
export class ProgressThrottle {
  private lastEmitAt = Number.NEGATIVE_INFINITY;
  private lastPercent = 0;
  private pendingUpdate: ProgressUpdate | undefined;

  constructor(private readonly intervalMs = 1000) {}

  /** Returns the update to write now, or undefined (then it is held as pending). */
  offer(update: ProgressUpdate, nowMs: number): ProgressUpdate | undefined {
    const percent = Math.round(Math.max(this.lastPercent, Math.min(100, update.percent)) * 10) / 10;
    const next = { stage: update.stage, percent };
    this.lastPercent = percent;
    if (percent >= 100 || nowMs - this.lastEmitAt >= this.intervalMs) {
      this.lastEmitAt = nowMs;
      this.pendingUpdate = undefined;
      return next;
    }
    this.pendingUpdate = next;
    return undefined;
  }

  /** The held update, if any, to be written when the interval has passed or before exit. */
  takePending(nowMs: number): ProgressUpdate | undefined {
    const p = this.pendingUpdate;
    if (p) {
      this.pendingUpdate = undefined;
      this.lastEmitAt = nowMs;
    }
    return p;
  }

  msUntilNext(nowMs: number): number {
    return Math.max(0, this.lastEmitAt + this.intervalMs - nowMs);
  }
}

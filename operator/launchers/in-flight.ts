import { withTimeout } from "../../lib/clock.js";
import type { LaunchRequest, TaskLauncher, TaskRef, TaskState } from "../ports/index.js";

/**
 * A launcher that knows which launches are still in progress in this process. A leader handing over (SIGTERM, a
 * rolling update) first revokes its own fence, so that no new claim, launch or release passes it, and then waits
 * here for the launches already past it: a RunTask on the wire may still start a task, and the next leader, which
 * looks each attempt up by (uid, attempt) before it launches, must find that task rather than start a second one.
 * Only then does it give up its lease, without waiting for the rest of its reconciles.
 */
export class InFlightLaunches implements TaskLauncher {
  readonly kind: TaskRef["launcher"];
  readonly find?: (uid: string, attempt: number) => Promise<TaskRef | undefined>;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly inner: TaskLauncher) {
    this.kind = inner.kind;
    if (inner.find) this.find = (uid, attempt) => inner.find!(uid, attempt);
  }

  get inProgress(): number {
    return this.pending.size;
  }

  launch(request: LaunchRequest): Promise<TaskRef> {
    const p = this.inner.launch(request);
    const settled = p.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.then(() => this.pending.delete(settled));
    return p;
  }

  describe(ids: string[]): Promise<TaskState[]> {
    return this.inner.describe(ids);
  }

  stop(id: string, reason: string): Promise<void> {
    return this.inner.stop(id, reason);
  }

  /** Resolves once every launch in progress now has ended (true), or after timeoutMs with some still going (false). */
  async settled(timeoutMs: number): Promise<boolean> {
    if (this.pending.size === 0) return true;
    // The tracked promises never reject (see launch): only the timeout can.
    return withTimeout(Promise.all([...this.pending]), timeoutMs, "launches still in flight").then(
      () => true,
      () => false,
    );
  }
}

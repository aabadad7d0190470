/** The one time source: the workqueue, the elector and the controller take it, so unit tests run on fake time. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
export interface TimerHandle {
  readonly __timer: unique symbol;
}

/** The real clock. Timers are unref'd: a pending requeue must never keep a process alive on its own. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return t as unknown as TimerHandle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as unknown as NodeJS.Timeout);
  },
};

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Manual time for unit tests: nothing fires until advance() moves time past a timer's deadline. */
export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: FakeTimer[] = [];
  constructor(start = 1_000_000) {
    this.current = start;
  }
  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + Math.max(0, ms), fn });
    return id as unknown as TimerHandle;
  }
  clearTimeout(handle: TimerHandle): void {
    const id = handle as unknown as number;
    this.timers = this.timers.filter((t) => t.id !== id);
  }
  /** Timers still pending. */
  get pending(): number {
    return this.timers.length;
  }
  /** Move time forward, firing due timers in deadline order (each sees now() at its own deadline). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }
}

/**
 * `p`, or a rejection with `message` once `ms` have passed on the real clock (the timer is unref'd and cleared as
 * soon as either settles). `p` itself keeps running: this bounds the wait, not the work.
 */
export function withTimeout<R>(p: Promise<R>, ms: number, message: string): Promise<R> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(message)), ms);
    t.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

import type { PhaseEntry, SlotHolder } from "../ports/index.js";
import type { UsageView } from "./fair.js";

/** Phases during which a job holds a slot (near enough: the claim comes just before Starting, the release soon after the end). */
const HOLDING = new Set(["Starting", "Running"]);

/**
 * Each owner's recent usage for the fair policy: slot time decayed with a half-life, plus the slots held now.
 *
 * A slot held from c to r adds, at time t >= r, ∫_c^r 2^-((t-s)/H) ds slot-seconds. Divided by the mean life H/ln 2
 * (what a slot held for ever adds), the score is in "slots": an owner who held one slot for hours counts about 1
 * more than one who held none, and that share halves every H. score = slots held now + that decayed history.
 *
 * Survives failover: nothing here is the only copy. The slots held now are the slot table in MongoDB (read on every
 * reconcile); the history is re-derived at start-up from the job records' phaseHistory in MongoDB (seed(), fed by
 * usageIntervals()), and afterwards charged as the slot table shows releases (observeSlots()). Pure: the clock and
 * the reads are the caller's.
 */
export class UsageLedger {
  /** Per owner: decayed history (normalised to slots) as of `at`. */
  private readonly past = new Map<string, { value: number; at: number }>();
  /** Holders of the last slot table seen, with their owners, to charge what each held when it is released. */
  private held = new Map<string, { owner: string | undefined; claimedAt: number }>();
  private running = new Map<string, number>();

  constructor(readonly halfLifeMs: number) {
    if (!(halfLifeMs >= 0)) throw new RangeError(`half-life must be >= 0, got ${halfLifeMs}`);
  }

  /** Charges one slot held from `from` to `to` (ms) to `owner`. */
  charge(owner: string, from: number, to: number): void {
    if (this.halfLifeMs === 0 || to <= from) return;
    const add = 1 - 2 ** (-(to - from) / this.halfLifeMs);
    const cur = this.past.get(owner);
    const at = Math.max(to, cur?.at ?? to);
    this.past.set(owner, { value: (cur ? this.decay(cur.value, at - cur.at) : 0) + this.decay(add, at - to), at });
  }

  /** The owner's decayed history at `now`, in slots. */
  history(owner: string, now: number): number {
    const cur = this.past.get(owner);
    return cur ? this.decay(cur.value, Math.max(0, now - cur.at)) : 0;
  }

  /** Start-up: charges each closed interval the job records show (see usageIntervals). */
  seed(intervals: Iterable<{ owner: string; from: number; to: number }>): void {
    for (const i of intervals) this.charge(i.owner, i.from, i.to);
  }

  /**
   * A slot table as read: holders gone since the last one are charged from their claim to `now`. Returns whether
   * the table's holders changed (then the admission order takes a new usage snapshot).
   */
  observeSlots(holders: readonly SlotHolder[], now: number, ownerOf: (uid: string) => string | undefined): boolean {
    const next = new Map<string, { owner: string | undefined; claimedAt: number }>();
    let changed = holders.length !== this.held.size;
    for (const h of holders) {
      const prev = this.held.get(h.holder);
      if (!prev) changed = true;
      next.set(h.holder, { owner: prev?.owner ?? ownerOf(h.holder), claimedAt: new Date(h.claimedAt).getTime() });
    }
    for (const [uid, h] of this.held) {
      if (next.has(uid)) continue;
      const owner = h.owner ?? ownerOf(uid);
      if (owner !== undefined) this.charge(owner, h.claimedAt, now);
    }
    const unresolved = [...next.values()].some((h) => h.owner === undefined);
    this.held = next;
    this.running = new Map();
    for (const h of next.values()) if (h.owner !== undefined) this.running.set(h.owner, (this.running.get(h.owner) ?? 0) + 1);
    return changed || unresolved;
  }

  /** Slots each owner holds in the last table seen. */
  runningOf(owner: string): number {
    return this.running.get(owner) ?? 0;
  }

  /** Owners holding slots now, most first. */
  runningOwners(): [string, number][] {
    return [...this.running].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  /** The usage snapshot the admission order sorts by, frozen at `now`. */
  view(now: number): UsageView {
    const running = new Map(this.running);
    const scores = new Map<string, number>();
    return {
      running: (owner) => running.get(owner) ?? 0,
      score: (owner) => {
        let s = scores.get(owner);
        if (s === undefined) scores.set(owner, (s = (running.get(owner) ?? 0) + this.history(owner, now)));
        return s;
      },
    };
  }

  private decay(value: number, ms: number): number {
    return this.halfLifeMs === 0 ? 0 : value * 2 ** (-ms / this.halfLifeMs);
  }
}

/**
 * The closed slot-holding intervals of one job record's phaseHistory: each Starting/Running stretch up to the next
 * phase. A stretch still open is skipped: that job holds a slot now, which the slot table counts, and its
 * release is charged when observeSlots sees it.
 */
export function usageIntervals(history: readonly Pick<PhaseEntry, "phase" | "at">[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let start: number | undefined;
  for (const e of history) {
    const at = new Date(e.at).getTime();
    if (HOLDING.has(e.phase)) start ??= at;
    else if (start !== undefined) {
      out.push({ from: start, to: at });
      start = undefined;
    }
  }
  return out;
}

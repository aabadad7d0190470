import type { JobObject } from "../ports/index.js";
import { isCandidate, retryAt, toMillis } from "./admission.js";
import { FIFO_POLICY, NO_USAGE, ownerKey, ownerLimit, type AdmissionPolicy, type QueuePlace, type UsageView } from "./fair.js";
import type { ReconcileOptions } from "./types.js";

interface Entry {
  uid: string;
  key: string;
  priority: number;
  created: number;
  /** When a retry backoff ends; undefined when the job is not backing off. */
  retryAt: number | undefined;
  owner: string;
  limit: number | undefined;
}

/** One owner's jobs of one priority level (fair), or all of that level's jobs (fifo), in creation order. */
interface Group {
  owner: string;
  entries: Entry[];
  /** The owner's usage score when the order was last re-keyed (fair); 0 under fifo. */
  score: number;
}

interface Level {
  priority: number;
  groups: Map<string, Group>;
  /** The groups in admission order. */
  order: Group[];
  size: number;
  /** Entries before each group (cached between changes of this level: ranks far outnumber changes). */
  offsets?: Map<Group, number> | undefined;
}

/** Creation order (FIFO), then namespace/name; priority first where entries of several levels meet. */
function fifo(a: Entry, b: Entry): number {
  return b.priority - a.priority || a.created - b.created || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}

/** Owners' groups within a level: least usage, then the oldest job (longest waiting), then owner key. */
function groupOrder(a: Group, b: Group): number {
  return a.score - b.score || fifo(a.entries[0]!, b.entries[0]!) || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0);
}

function lowerBound<T>(list: readonly T[], before: (x: T) => boolean): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid]!)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The admission order kept up to date from the informer's events, so that a reconcile finds its job's place
 * with binary searches instead of sorting the whole queue (with 10,000 Queued jobs, sorting on every reconcile
 * made admission quadratic). The same order, limits and notion of "waiting" as admissionPlaces(); a property test
 * holds the two equal.
 *
 * Layout: priority levels, each a list of groups in admission order, each group in creation order. Under fair a
 * group is one owner's jobs, so the usage of an owner changing (an admission, a release: setUsage) re-sorts the
 * groups, never the jobs; under fifo a level is one group. A job's rank is the sizes of the groups before its own
 * plus its place in its group. Slot holders and jobs in a retry backoff stay in the index and are skipped when
 * counting: there are at most `capacity` holders and backoffs are rare. With owner limits, the jobs held back by
 * a limit are skipped too: per saturated owner, a binary search in that owner's own list.
 */
export class AdmissionQueue {
  private readonly levels: Level[] = [];
  private readonly byUid = new Map<string, Entry>();
  private readonly byOwner = new Map<string, Entry[]>();
  private readonly backingOff = new Map<string, Entry>();
  private usage: UsageView = NO_USAGE;
  /** Whether any owner limit is configured (else ranks skip the per-owner pass). */
  private readonly limited: boolean;

  constructor(
    private readonly opts: Pick<ReconcileOptions, "backoffBaseMs" | "backoffMaxMs">,
    private readonly policy: AdmissionPolicy = FIFO_POLICY,
  ) {
    this.limited = policy.maxRunningPerOwner !== undefined || Object.keys(policy.maxRunningByNamespace ?? {}).length > 0;
  }

  /** Candidates tracked (waiting, holding a slot or backing off). */
  get size(): number {
    return this.byUid.size;
  }

  /**
   * A new usage snapshot (slots per owner now, scores): taken when the slot table changed. Under fair the groups
   * are re-keyed by their owners' scores: O(groups log groups), the jobs stay where they are.
   */
  setUsage(usage: UsageView): void {
    this.usage = usage;
    if (this.policy.kind !== "fair") return;
    for (const level of this.levels) {
      for (const g of level.order) g.score = usage.score(g.owner);
      level.order.sort(groupOrder);
      level.offsets = undefined;
    }
  }

  /** Adds, moves or removes the job according to its current state. */
  update(job: JobObject): void {
    const uid = job.metadata?.uid;
    if (!uid) return;
    const old = this.byUid.get(uid);
    if (!isCandidate(job)) {
      if (old) this.remove(old);
      return;
    }
    const next: Entry = {
      uid,
      key: `${job.metadata?.namespace ?? ""}/${job.metadata?.name ?? ""}`,
      priority: job.spec.priority ?? 0,
      created: toMillis(job.metadata?.creationTimestamp) ?? 0,
      retryAt: retryAt(job, this.opts),
      owner: ownerKey(job),
      limit: ownerLimit(this.policy, job.metadata?.namespace ?? ""),
    };
    if (old && fifo(old, next) === 0 && old.retryAt === next.retryAt && old.owner === next.owner && old.limit === next.limit) return;
    if (old) this.remove(old);
    this.insert(next);
  }

  delete(uid: string): void {
    const old = this.byUid.get(uid);
    if (old) this.remove(old);
  }

  /** 0-based rank among the jobs admissible at `now`; undefined when the job is not waiting or held by its owner's limit. */
  rank(uid: string, holders: ReadonlySet<string>, now: number): number | undefined {
    const p = this.place(uid, holders, now);
    return p && "rank" in p ? p.rank : undefined;
  }

  /**
   * Where the job stands at `now`; undefined when it is not waiting (holder, backoff, gone). `running` (slots per
   * owner) must come from the same slot table as `holders`: the limits hold because both are one snapshot (see
   * admissionPlaces). The usage snapshot's is used when absent.
   */
  place(uid: string, holders: ReadonlySet<string>, now: number, running: (owner: string) => number = (o) => this.usage.running(o)): QueuePlace | undefined {
    const e = this.byUid.get(uid);
    if (!e || !this.waiting(e, holders, now)) return undefined;
    if (e.limit !== undefined && running(e.owner) + this.waitingAhead(e.owner, e, holders, now) >= e.limit) return { ownerLimit: e.limit };
    let rank = this.indexOf(e);
    for (const h of holders) {
      const x = this.byUid.get(h);
      if (x && this.before(x, e)) rank--;
    }
    for (const x of this.backingOff.values()) {
      if (!holders.has(x.uid) && !this.waiting(x, holders, now) && this.before(x, e)) rank--;
    }
    // Jobs ahead held back by their owner's limit take no rank: an owner's jobs ahead of e are a prefix of its own
    // list, and the held ones are what is beyond its allowance.
    for (const [owner, list] of this.limited ? this.byOwner : []) {
      const limit = list[0]!.limit;
      if (owner === e.owner || limit === undefined) continue;
      const allowance = Math.max(0, limit - running(owner));
      if (list.length <= allowance) continue;
      rank -= Math.max(0, this.waitingAhead(owner, e, holders, now) - allowance);
    }
    return { rank };
  }

  /** The keys (namespace/name) of the first `n` jobs admissible at `now`, head first. */
  heads(n: number, holders: ReadonlySet<string>, now: number): string[] {
    const out: string[] = [];
    const seen = new Map<string, number>();
    for (const level of this.levels) {
      for (const g of level.order) {
        for (const e of g.entries) {
          if (out.length >= n) return out;
          if (!this.waiting(e, holders, now)) continue;
          const ahead = seen.get(e.owner) ?? 0;
          seen.set(e.owner, ahead + 1);
          if (e.limit === undefined || this.usage.running(e.owner) + ahead < e.limit) out.push(e.key);
        }
      }
    }
    return out;
  }

  private waiting(e: Entry, holders: ReadonlySet<string>, now: number): boolean {
    return !holders.has(e.uid) && (e.retryAt === undefined || e.retryAt <= now);
  }

  private groupKey(e: Entry): string {
    return this.policy.kind === "fair" ? e.owner : "";
  }

  private levelOf(priority: number): Level | undefined {
    return this.levels.find((l) => l.priority === priority);
  }

  /** Whether x comes before e in the admission order. */
  private before(x: Entry, e: Entry): boolean {
    if (x.priority !== e.priority) return x.priority > e.priority;
    if (this.groupKey(x) === this.groupKey(e)) return fifo(x, e) < 0;
    const level = this.levelOf(e.priority)!;
    return groupOrder(level.groups.get(this.groupKey(x))!, level.groups.get(this.groupKey(e))!) < 0;
  }

  /** Place of e among all entries (waiting or not). */
  private indexOf(e: Entry): number {
    let i = 0;
    for (const level of this.levels) {
      if (level.priority > e.priority) {
        i += level.size;
        continue;
      }
      if (!level.offsets) {
        let acc = 0;
        level.offsets = new Map();
        for (const g of level.order) {
          level.offsets.set(g, acc);
          acc += g.entries.length;
        }
      }
      const g = level.groups.get(this.groupKey(e))!;
      return i + level.offsets.get(g)! + lowerBound(g.entries, (x) => fifo(x, e) < 0);
    }
    return i;
  }

  /** The owner's waiting entries before e in the admission order (a prefix of the owner's own list). */
  private waitingAhead(owner: string, e: Entry, holders: ReadonlySet<string>, now: number): number {
    const list = this.byOwner.get(owner);
    if (!list) return 0;
    const n = lowerBound(list, (x) => this.before(x, e));
    let ahead = n;
    for (const h of holders) {
      const x = this.byUid.get(h);
      if (x && x.owner === owner && this.before(x, e)) ahead--;
    }
    for (const x of this.backingOff.values()) {
      if (x.owner === owner && !holders.has(x.uid) && !this.waiting(x, holders, now) && this.before(x, e)) ahead--;
    }
    return ahead;
  }

  private insert(e: Entry): void {
    let level = this.levelOf(e.priority);
    if (!level) {
      level = { priority: e.priority, groups: new Map(), order: [], size: 0 };
      this.levels.splice(lowerBound(this.levels, (l) => l.priority > e.priority), 0, level);
    }
    level.offsets = undefined;
    const gk = this.groupKey(e);
    let g = level.groups.get(gk);
    const fresh = !g;
    if (!g) {
      g = { owner: gk, entries: [], score: this.policy.kind === "fair" ? this.usage.score(gk) : 0 };
      level.groups.set(gk, g);
    } else if (fifo(e, g.entries[0]!) < 0) {
      this.unorder(level, g);
    }
    const at = lowerBound(g.entries, (x) => fifo(x, e) < 0);
    g.entries.splice(at, 0, e);
    if (fresh || at === 0) level.order.splice(lowerBound(level.order, (x) => groupOrder(x, g) < 0), 0, g);
    level.size++;
    let own = this.byOwner.get(e.owner);
    if (!own) this.byOwner.set(e.owner, (own = []));
    own.splice(lowerBound(own, (x) => fifo(x, e) < 0), 0, e);
    this.byUid.set(e.uid, e);
    if (e.retryAt !== undefined) this.backingOff.set(e.uid, e);
  }

  private remove(e: Entry): void {
    const level = this.levelOf(e.priority)!;
    level.offsets = undefined;
    const g = level.groups.get(this.groupKey(e))!;
    const at = lowerBound(g.entries, (x) => fifo(x, e) < 0);
    if (at === 0) this.unorder(level, g);
    g.entries.splice(at, 1);
    if (g.entries.length === 0) level.groups.delete(g.owner);
    else if (at === 0) level.order.splice(lowerBound(level.order, (x) => groupOrder(x, g) < 0), 0, g);
    level.size--;
    if (level.size === 0) this.levels.splice(this.levels.indexOf(level), 1);
    const own = this.byOwner.get(e.owner)!;
    own.splice(lowerBound(own, (x) => fifo(x, e) < 0), 1);
    if (own.length === 0) this.byOwner.delete(e.owner);
    this.byUid.delete(e.uid);
    this.backingOff.delete(e.uid);
  }

  /** Takes the group out of its level's order (before its head changes). */
  private unorder(level: Level, g: Group): void {
    level.order.splice(level.order.indexOf(g), 1);
  }
}

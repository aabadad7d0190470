import { randomBytes } from "node:crypto";
import { CoordinationV1Api, V1MicroTime, Watch, type V1Lease } from "@kubernetes/client-node";
import { pino } from "pino";
import type { Logger } from "../../lib/log.js";
import { systemClock, withTimeout, type Clock, type TimerHandle } from "../../lib/clock.js";
import { mapKubeError, statusOf } from "../../lib/kube/index.js";
import type { LeaderElector, LeaderElectorOptions } from "./types.js";

/** What we last saw of the lease, and when (by our own clock: expiry never trusts the holder's clock). */
interface Observed {
  holder: string;
  renewTime: string;
  transitions: number;
  durationMs: number;
  at: number;
}

function timeString(v: unknown): string {
  return v instanceof Date ? v.toISOString() : typeof v === "string" ? v : "";
}

/** A MicroTime as milliseconds: the apiserver answers with microseconds, we write milliseconds. */
function instant(v: unknown): number {
  return Date.parse(timeString(v));
}

/**
 * A lease identity unique to this process whatever the configuration: the configured name (the pod name) plus a
 * random suffix, as client-go advises. Replicas given the same name (an easy chart or manifest mistake) each
 * believed they held the lease when the name alone was the identity: 9 tasks ran at once under a cap of 5.
 */
export function uniqueIdentity(name: string): string {
  return `${name}_${randomBytes(4).toString("hex")}`;
}

/**
 * Leader election on a coordination.k8s.io/v1 Lease, as client-go does it: every write carries the lease's
 * resourceVersion (a lost race is a 409, never a split brain), a holder is considered gone only when we have
 * seen no renewal for leaseDuration on our own clock, and a leader that cannot renew within renewDeadline
 * steps down before its lease can expire elsewhere. leaseTransitions grows on every change of holder: it is
 * the fencing epoch.
 */
export class LeaseLeaderElector implements LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly leaseMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryMs: number;
  private observed: Observed | undefined;
  private leading = false;
  private currentEpoch: number | undefined;
  private lastRenew = 0;
  private abort: AbortController | undefined;
  private timer: TimerHandle | undefined;
  private state: "new" | "running" | "stopped" = "new";
  private busy: Promise<void> = Promise.resolve();
  private ticking = false;
  private releaseWatch: AbortController | undefined;
  private lastLeader: string | undefined;
  /** renewTimes of our own writes (the last one sent, the last one confirmed): any other under our identity is foreign. */
  private readonly ours = { sent: NaN, confirmed: NaN };

  constructor(private readonly opts: LeaderElectorOptions) {
    this.api = opts.kubeConfig.makeApiClient(CoordinationV1Api);
    this.clock = opts.clock ?? systemClock;
    this.log = (opts.logger ?? pino({ enabled: false })).child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
    this.leaseMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryMs = opts.retryPeriodMs ?? 2_000;
    if (!(this.leaseMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryMs && this.retryMs > 0)) {
      throw new RangeError("leader election needs leaseDuration > renewDeadline > retryPeriod > 0");
    }
  }

  /**
   * The fencing epoch while this replica leads, by its own clock: past renewDeadline without a renewal it is
   * undefined even before the renew loop has noticed (a process paused by SIGSTOP or a long GC wakes up
   * believing it leads; nothing it launches on that belief may count).
   */
  get epoch(): number | undefined {
    return this.leading && this.clock.now() - this.lastRenew < this.renewDeadlineMs ? this.currentEpoch : undefined;
  }
  get leader(): string | undefined {
    return this.lastLeader;
  }
  isLeader(): boolean {
    return this.leading;
  }

  start(): Promise<void> {
    if (this.state !== "new") return Promise.reject(new Error("leader elector already started"));
    this.state = "running";
    this.schedule(0);
    void this.watchReleases();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.releaseWatch?.abort();
    await this.busy;
    if (this.leading) {
      await this.release();
      this.stepDown("stopped");
    }
  }

  private schedule(ms: number): void {
    if (this.state !== "running") return;
    this.timer = this.clock.setTimeout(() => {
      this.ticking = true;
      this.busy = this.tick().finally(() => {
        this.ticking = false;
        this.schedule(this.leading ? this.retryMs : jitter(this.retryMs));
      });
    }, ms);
  }

  /**
   * A standby campaigns at once when the holder releases the lease (a graceful stop), not at its next retry: with
   * the default 2 s retry period, waiting for it was most of a SIGTERM handover. A watch on the one Lease object
   * wakes the loop; it is only a shortcut (the retry loop alone stays correct), so its failures are retried quietly.
   */
  private async watchReleases(): Promise<void> {
    const { namespace, name } = this.opts;
    const path = `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`;
    while (this.state === "running") {
      await new Promise<void>((resolve) => {
        const onEvent = (type: string, lease: V1Lease): void => {
          if (type === "MODIFIED" && !lease.spec?.holderIdentity) this.wake();
        };
        new Watch(this.opts.kubeConfig)
          .watch(path, { fieldSelector: `metadata.name=${name}`, timeoutSeconds: 300 }, onEvent, () => resolve())
          .then(
            (c) => {
              this.releaseWatch = c;
              if (this.state !== "running") c.abort();
            },
            () => resolve(),
          );
      });
      this.releaseWatch = undefined;
      if (this.state === "running") await new Promise<void>((r) => this.clock.setTimeout(r, this.retryMs));
    }
  }

  /** Campaign now unless a round is under way or we lead already. */
  private wake(): void {
    if (this.state !== "running" || this.leading || this.ticking) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.schedule(0);
  }

  private async tick(): Promise<void> {
    if (this.state !== "running") return;
    let ok = false;
    try {
      ok = await withTimeout(this.tryAcquireOrRenew(), this.renewDeadlineMs, "lease request timed out");
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, "lease update failed");
    }
    if (this.state !== "running") return;
    const now = this.clock.now();
    if (ok) {
      this.lastRenew = now;
      if (!this.leading) {
        this.leading = true;
        this.abort = new AbortController();
        this.log.info({ epoch: this.currentEpoch }, "started leading");
        this.callback("onStartedLeading", () => this.opts.onStartedLeading(this.currentEpoch ?? 0, this.abort!.signal));
      }
    } else if (this.leading && now - this.lastRenew >= this.renewDeadlineMs) {
      this.stepDown("renew deadline passed");
    }
  }

  private stepDown(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.abort?.abort(new Error(`leadership lost: ${why}`));
    this.abort = undefined;
    this.log.warn({ why }, "stopped leading");
    this.callback("onStoppedLeading", () => this.opts.onStoppedLeading());
  }

  /** A throwing callback must not break the renew loop (a leader that stops renewing loses its lease). */
  private callback(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err: err instanceof Error ? err.message : String(err), callback: name }, "leader election callback threw");
    }
  }

  private noteLeader(holder: string): void {
    if (holder && holder !== this.lastLeader) {
      this.lastLeader = holder;
      this.callback("onNewLeader", () => this.opts.onNewLeader?.(holder));
    } else if (!holder) {
      this.lastLeader = undefined;
    }
  }

  /** One round: true when we hold the lease after it. */
  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.opts;
    const now = new V1MicroTime(Date.now());
    const durationSeconds = Math.ceil(this.leaseMs / 1000);
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (statusOf(err) !== 404) throw mapKubeError(err, "read lease");
      this.ours.sent = instant(now);
      try {
        await this.api.createNamespacedLease({
          namespace,
          body: {
            metadata: { name, namespace },
            spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
          },
        });
      } catch (createErr) {
        if (statusOf(createErr) === 409) return false;
        throw mapKubeError(createErr, "create lease");
      }
      this.currentEpoch = 0;
      this.noteLeader(identity);
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? "";
    const seen: Observed = {
      holder,
      renewTime: timeString(spec.renewTime),
      transitions: spec.leaseTransitions ?? 0,
      durationMs: (spec.leaseDurationSeconds ?? durationSeconds) * 1000,
      at: this.clock.now(),
    };
    const o = this.observed;
    const changed = !o || o.holder !== seen.holder || o.renewTime !== seen.renewTime || o.transitions !== seen.transitions;
    if (changed) this.observed = seen;
    const observed = this.observed ?? seen;
    this.noteLeader(holder);
    const renewTime = instant(spec.renewTime);
    // Our identity with a renewTime we never wrote: another process uses the same identity. Treat it as any other
    // holder (step down, take over only once it stops renewing, with a new epoch), and say so.
    const impostor = holder === identity && renewTime !== this.ours.sent && renewTime !== this.ours.confirmed;
    if (impostor && changed) this.log.error({ renewTime }, "the lease was renewed under this replica's identity by another process: lease identities must be unique per process");
    const mine = holder === identity && !impostor;
    if (holder && !mine && observed.at + observed.durationMs > this.clock.now()) {
      // Someone else renewed: whatever we believed, we are not leading any more.
      this.stepDown(impostor ? "lease renewed by another process under our identity" : `lease held by ${holder}`);
      return false;
    }
    const transitions = mine ? seen.transitions : seen.transitions + 1;
    this.ours.sent = instant(now);
    try {
      const updated = await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: {
          ...lease,
          metadata: { ...lease.metadata, resourceVersion: lease.metadata?.resourceVersion },
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds: durationSeconds,
            acquireTime: mine && spec.acquireTime ? new V1MicroTime(timeString(spec.acquireTime)) : now,
            renewTime: now,
            leaseTransitions: transitions,
          },
        },
      });
      this.ours.confirmed = instant(updated.spec?.renewTime);
      this.observed = { holder: identity, renewTime: timeString(updated.spec?.renewTime), transitions, durationMs: this.leaseMs, at: this.clock.now() };
    } catch (err) {
      if (statusOf(err) === 409) return false;
      throw mapKubeError(err, "update lease");
    }
    if (!mine) this.log.info({ from: holder || "(none)", epoch: transitions }, "acquired lease");
    this.currentEpoch = transitions;
    this.noteLeader(identity);
    return true;
  }

  /** Give the lease up at once so a standby takes over without waiting out leaseDuration. */
  private async release(): Promise<void> {
    const { namespace, name, identity } = this.opts;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = new V1MicroTime(Date.now());
      await this.api.replaceNamespacedLease({
        name,
        namespace,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now, acquireTime: now } },
      });
      this.noteLeader("");
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, "lease release failed; it will expire");
    }
  }
}

function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.2));
}

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  return new LeaseLeaderElector(options);
}

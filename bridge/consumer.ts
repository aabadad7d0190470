import type { Redis } from "ioredis";
import type { TenancyPolicy } from "../crds/index.js";
import type { Registry } from "prom-client";
import { TerminalError } from "../lib/errors/index.js";
import type { Logger } from "../lib/log.js";
import { ENTRY_FIELD, buildUploadJob, decodeEntryFields, encodeEntryFields, jobNameFor, streamKeys, type StreamKeys } from "../lib/uploads/index.js";
import { afterFailure, backoffMs, claimedEntryAction, compareStreamIds, trimBefore } from "./decide.js";
import type { JobCreator } from "./job-creator.js";
import { BridgeMetrics } from "./metrics.js";
import {
  fieldValue,
  parseAutoClaim,
  parseInfoList,
  parsePendingDeliveries,
  parsePendingSummary,
  parseReadGroup,
  type StreamEntry,
} from "./redis-replies.js";

export interface BridgeOptions {
  /** For every command but the blocking read. */
  redis: Redis;
  /** A connection of its own: XREADGROUP BLOCK holds it while it waits. */
  blockingRedis: Redis;
  creator: JobCreator;
  log: Logger;
  registry: Registry;
  stream: string;
  group: string;
  /** Unique per process (a restarted process is a new consumer; its predecessor's entries are claimed). */
  consumer: string;
  namespace: string;
  /** The tenancy rule: an entry whose job would break it (owner not its key's, a bucket not served) is dead-lettered. */
  policy: TenancyPolicy;
  /** UPLOAD_MAX_BYTES: an entry for a larger object (its event's size) is dead-lettered, never a job. Unset: no limit. */
  maxSourceBytes?: number | undefined;
  /** Deliveries after which an entry that keeps failing goes to the dead-letter stream. */
  maxDeliveries: number;
  /** An entry pending this long with another consumer is presumed abandoned and claimed. */
  claimIdleMs: number;
  claimIntervalMs: number;
  batchSize: number;
  blockMs: number;
  /** Acknowledged entries are trimmed from the stream after this long. */
  retentionMs: number;
  housekeepingIntervalMs: number;
  /** Consumers with nothing pending that have been idle this long are removed from the group. */
  consumerIdleMs: number;
}

export interface BridgeHealth {
  live: boolean;
  ready: boolean;
  consecutiveFailures: number;
  lastLoopAgoMs: number;
}

/**
 * The stream -> TranscodeJob bridge. At least once in, exactly once out: an entry is acknowledged only
 * after its job exists, every delivery maps to the same deterministic job name, and AlreadyExists is success.
 */
export class Bridge {
  readonly keys: StreamKeys;
  readonly metrics: BridgeMetrics;
  private readonly log: Logger;
  private state: "new" | "running" | "stopping" | "stopped" = "new";
  private loop: Promise<void> | undefined;
  private consecutiveFailures = 0;
  private lastLoopAt = Date.now();
  private nextClaimAt = 0;
  private nextHousekeepingAt = 0;
  private wake: (() => void) | undefined;
  /** Entries this process is working on; their idle time is kept fresh so no one claims them meanwhile. */
  private readonly inFlight = new Set<string>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly o: BridgeOptions) {
    this.keys = streamKeys(o.stream);
    this.log = o.log.child({ consumer: o.consumer });
    this.metrics = new BridgeMetrics(o.registry, () => this.streamStats());
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new Error(`bridge cannot start: it is ${this.state}`);
    this.state = "running";
    try {
      await this.ensureGroup();
    } catch (err) {
      this.state = "stopped";
      throw err;
    }
    this.log.info({ stream: this.o.stream, group: this.o.group }, "bridge started");
    this.loop = this.run();
    // A slow create (a loaded apiserver) is not a dead consumer: refresh the idle time of entries in hand
    // well before claimIdleMs. XCLAIM ... JUSTID does not count as a delivery. A hung process stops
    // refreshing, so its entries do become claimable.
    this.heartbeat = setInterval(() => void this.touchInFlight(), Math.max(50, Math.floor(this.o.claimIdleMs / 3)));
    this.heartbeat.unref();
  }

  /** Finishes the entries in hand (they are acknowledged or left pending), then returns. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === "new") {
      this.state = "stopped";
      return;
    }
    if (this.state === "running") {
      this.state = "stopping";
      this.wake?.();
    }
    await this.loop;
    clearInterval(this.heartbeat);
    this.state = "stopped";
  }

  health(): BridgeHealth {
    const lastLoopAgoMs = Date.now() - this.lastLoopAt;
    // A loop iteration lasts at most one block, one batch and one backoff; three times that is a hang.
    const live = this.state === "running" && lastLoopAgoMs < 3 * (this.o.blockMs + backoffMs(99) + 30_000);
    const ready = live && this.o.redis.status === "ready" && this.consecutiveFailures < 5;
    return { live, ready, consecutiveFailures: this.consecutiveFailures, lastLoopAgoMs };
  }

  private async ensureGroup(): Promise<void> {
    try {
      // From "0": entries appended before the bridge ever ran are processed too.
      await this.o.redis.call("XGROUP", "CREATE", this.o.stream, this.o.group, "0", "MKSTREAM");
    } catch (err) {
      if (!(err instanceof Error && err.message.includes("BUSYGROUP"))) throw err;
    }
  }

  private async run(): Promise<void> {
    while (this.state === "running") {
      this.lastLoopAt = Date.now();
      try {
        const wait = backoffMs(this.consecutiveFailures);
        if (wait > 0) await this.sleep(wait);
        if (this.state !== "running") break;
        const now = Date.now();
        if (now >= this.nextClaimAt) {
          await this.claimStale();
          this.nextClaimAt = Date.now() + this.o.claimIntervalMs;
        }
        if (now >= this.nextHousekeepingAt) {
          this.nextHousekeepingAt = now + this.o.housekeepingIntervalMs;
          await this.housekeeping();
        }
        const reply = await this.o.blockingRedis.call(
          "XREADGROUP", "GROUP", this.o.group, this.o.consumer, "COUNT", this.o.batchSize, "BLOCK", this.o.blockMs, "STREAMS", this.o.stream, ">",
        );
        await Promise.all(parseReadGroup(reply).map(([id, fields]) => this.handle(id, fields, 1)));
      } catch (err) {
        this.consecutiveFailures++;
        const error = err instanceof Error ? err.message : String(err);
        if (error.includes("NOGROUP")) {
          // Someone deleted the stream or the group: recreate it rather than spin.
          await this.ensureGroup().catch(() => undefined);
        }
        this.log.warn({ error, consecutiveFailures: this.consecutiveFailures }, "bridge loop error; backing off");
      }
    }
    this.log.info("bridge stopped");
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One entry, one verdict: acknowledged (job exists), left pending (retry later), or dead-lettered. */
  private async touchInFlight(): Promise<void> {
    if (this.inFlight.size === 0) return;
    try {
      await this.o.redis.call("XCLAIM", this.o.stream, this.o.group, this.o.consumer, 0, ...this.inFlight, "JUSTID");
    } catch (err) {
      this.log.debug({ error: err instanceof Error ? err.message : String(err) }, "could not refresh entries in hand");
    }
  }

  private async handle(id: string, fields: string[] | null, deliveries: number): Promise<void> {
    // Claimed while this process still works on it (a refresh came too late): the first attempt decides.
    if (this.inFlight.has(id)) return;
    this.inFlight.add(id);
    try {
      await this.attempt(id, fields, deliveries);
    } finally {
      this.inFlight.delete(id);
    }
  }

  private async attempt(id: string, fields: string[] | null, deliveries: number): Promise<void> {
    const decoded = decodeEntryFields(fields);
    if (!decoded.ok) {
      this.metrics.failures.inc({ kind: "malformed" });
      this.log.warn({ id, error: decoded.error }, "malformed stream entry");
      return this.deadLetter(id, fields, decoded.error, deliveries, "malformed");
    }
    const size = decoded.entry.size;
    if (this.o.maxSourceBytes !== undefined && size !== undefined && size > this.o.maxSourceBytes) {
      this.metrics.failures.inc({ kind: "terminal" });
      return this.deadLetter(id, fields, `the object is ${size} bytes, over UPLOAD_MAX_BYTES (${this.o.maxSourceBytes})`, deliveries, "too-large");
    }
    const built = buildUploadJob(decoded.entry, { namespace: this.o.namespace, policy: this.o.policy });
    if (!built.ok) {
      // A forged or misrouted entry (owner not its key's, a bucket not served, the outputs bucket): never a job.
      this.metrics.failures.inc({ kind: "terminal" });
      this.log.warn({ id, error: built.error, owner: decoded.entry.ownerId, bucket: decoded.entry.bucket }, "upload cannot become a TranscodeJob");
      return this.deadLetter(id, fields, built.error, deliveries, built.kind === "tenancy" ? "tenancy" : "invalid");
    }
    const name = jobNameFor(decoded.entry.idempotencyKey);
    const timer = this.metrics.createSeconds.startTimer();
    let result: "created" | "exists";
    try {
      result = await this.o.creator.create(built.job);
      timer();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (err instanceof TerminalError) {
        this.metrics.failures.inc({ kind: "terminal" });
        this.log.warn({ id, name, error }, "apiserver refused the TranscodeJob");
        return this.deadLetter(id, fields, error, deliveries, "refused");
      }
      this.metrics.failures.inc({ kind: "transient" });
      this.consecutiveFailures++;
      if (afterFailure("transient", deliveries, this.o.maxDeliveries) === "dead-letter") {
        this.log.error({ id, name, error, deliveries }, "TranscodeJob creation keeps failing");
        return this.deadLetter(id, fields, error, deliveries, "too-many-deliveries");
      }
      this.log.warn({ id, name, error, deliveries }, "TranscodeJob creation failed; the entry stays pending for a retry");
      // Remembered so the dead-letter record can say why, even if another consumer gives up on it.
      await this.o.redis.hset(this.keys.errors, id, error);
      return;
    }
    // Only now, with the job in the apiserver, is the entry done.
    await this.o.redis.pipeline().xack(this.o.stream, this.o.group, id).hdel(this.keys.errors, id).exec();
    this.consecutiveFailures = 0;
    this.metrics.jobs.inc({ result });
    this.log.info({ id, name, result, owner: decoded.entry.ownerId }, result === "created" ? "TranscodeJob created" : "TranscodeJob already exists");
  }

  private async deadLetter(id: string, fields: string[] | null, error: string, deliveries: number, reason: string): Promise<void> {
    const raw = fieldValue(fields, ENTRY_FIELD) ?? JSON.stringify(fields);
    const replies = await this.o.redis
      .multi()
      .xadd(this.keys.deadLetter, "*", "id", id, "reason", reason, "error", error, "deliveries", String(deliveries), "consumer", this.o.consumer, "at", new Date().toISOString(), ENTRY_FIELD, raw)
      .xack(this.o.stream, this.o.group, id)
      .hdel(this.keys.errors, id)
      .exec();
    const failed = replies?.find(([err]) => err);
    if (!replies || failed) throw new Error(`dead-lettering ${id} failed: ${failed?.[0]?.message ?? "transaction aborted"}`);
    this.metrics.deadLettered.inc({ reason });
    this.log.warn({ id, reason, error, deliveries }, "entry moved to the dead-letter stream");
  }

  /** XAUTOCLAIM: take over entries that other (crashed, hung) consumers left pending for too long. */
  private async claimStale(): Promise<void> {
    let cursor = "0-0";
    for (let round = 0; round < 20 && this.state === "running"; round++) {
      const reply = parseAutoClaim(
        await this.o.redis.call("XAUTOCLAIM", this.o.stream, this.o.group, this.o.consumer, this.o.claimIdleMs, cursor, "COUNT", this.o.batchSize),
      );
      cursor = reply.cursor;
      if (reply.deleted.length > 0) {
        // Trimmed or deleted while pending: nothing left to turn into a job; Redis dropped them from the PEL.
        this.log.warn({ ids: reply.deleted }, "pending entries no longer in the stream");
        await this.o.redis.hdel(this.keys.errors, ...reply.deleted);
      }
      if (reply.entries.length > 0) {
        this.metrics.claimed.inc(reply.entries.length);
        this.log.info({ count: reply.entries.length }, "claimed pending entries from other consumers");
        const counts = await this.deliveryCounts(reply.entries);
        await Promise.all(
          reply.entries.map(async ([id, fields], i) => {
            if (this.inFlight.has(id)) return;
            const deliveries = counts[i] ?? this.o.maxDeliveries + 1;
            if (claimedEntryAction(deliveries, this.o.maxDeliveries) === "dead-letter") {
              const last = (await this.o.redis.hget(this.keys.errors, id)) ?? "no error recorded (the consumer may have crashed on it)";
              return this.deadLetter(id, fields, last, deliveries, "too-many-deliveries");
            }
            return this.handle(id, fields, deliveries);
          }),
        );
      }
      if (cursor === "0-0") break;
    }
  }

  private async deliveryCounts(entries: StreamEntry[]): Promise<(number | undefined)[]> {
    const pipeline = this.o.redis.pipeline();
    for (const [id] of entries) pipeline.call("XPENDING", this.o.stream, this.o.group, id, id, 1);
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, reply]) => (err ? undefined : parsePendingDeliveries(reply)));
  }

  /** Trims acknowledged entries past retention and forgets consumers that are gone. Never fatal. */
  private async housekeeping(): Promise<void> {
    try {
      const groups = parseInfoList(await this.o.redis.call("XINFO", "GROUPS", this.o.stream));
      let minId: string | undefined;
      for (const g of groups) {
        const summary = parsePendingSummary(await this.o.redis.call("XPENDING", this.o.stream, typeof g.name === "string" ? g.name : ""));
        const candidate = trimBefore(Date.now(), this.o.retentionMs, typeof g["last-delivered-id"] === "string" ? g["last-delivered-id"] : "0-0", summary.smallest);
        if (minId === undefined || compareStreamIds(candidate, minId) < 0) minId = candidate;
      }
      if (minId !== undefined) await this.o.redis.call("XTRIM", this.o.stream, "MINID", "~", minId);
      const consumers = parseInfoList(await this.o.redis.call("XINFO", "CONSUMERS", this.o.stream, this.o.group));
      for (const c of consumers) {
        const name = String(c.name);
        if (name !== this.o.consumer && Number(c.pending) === 0 && Number(c.idle) > this.o.consumerIdleMs) {
          await this.o.redis.call("XGROUP", "DELCONSUMER", this.o.stream, this.o.group, name);
          this.log.info({ removed: name }, "removed an idle consumer from the group");
        }
      }
    } catch (err) {
      this.log.warn({ error: err instanceof Error ? err.message : String(err) }, "stream housekeeping failed");
    }
  }

  /** Lag, pending and dead-letter counts, for metrics and the tests' report. */
  async streamStats(): Promise<{ lag: number; pending: number; deadLetters: number; length: number }> {
    const replies = (await this.o.redis.pipeline().call("XINFO", "GROUPS", this.o.stream).xlen(this.keys.deadLetter).xlen(this.o.stream).exec()) ?? [];
    const [groupsReply, deadReply, lenReply] = replies;
    if (groupsReply?.[0]) throw groupsReply[0];
    const group = parseInfoList(groupsReply?.[1]).find((g) => g.name === this.o.group);
    const length = Number(lenReply?.[1] ?? 0);
    // Redis reports lag as nil when it cannot compute it (entries deleted mid-range); the length bounds it.
    const lag = group?.lag === null || group?.lag === undefined ? length : Number(group.lag);
    return { lag, pending: Number(group?.pending ?? 0), deadLetters: Number(deadReply?.[1] ?? 0), length };
  }

  /**
   * Moves up to `count` dead-lettered entries back onto the stream (after the cause is fixed). Records
   * whose entry cannot be read stay where they are: a person has to look at those.
   */
  async redrive(count = 100): Promise<number> {
    const entries = parseReadGroup([[this.keys.deadLetter, await this.o.redis.call("XRANGE", this.keys.deadLetter, "-", "+", "COUNT", count)]]);
    let moved = 0;
    for (const [deadId, fields] of entries) {
      const raw = fieldValue(fields, ENTRY_FIELD);
      const decoded = raw === undefined ? undefined : decodeEntryFields([ENTRY_FIELD, raw]);
      if (!decoded?.ok) continue;
      // One transaction: the entry is on the stream again or still dead-lettered, never neither.
      await this.o.redis.multi().xadd(this.o.stream, "*", ...encodeEntryFields(decoded.entry)).xdel(this.keys.deadLetter, deadId).exec();
      moved++;
    }
    this.log.info({ moved }, "dead-lettered entries moved back to the stream");
    return moved;
  }
}

import { MongoServerError, type Collection, type Db } from "mongodb";
import { FencedError } from "./fenced-error.js";
import type { ClaimHint, SlotHolder, Slots } from "./types.js";

/** A held slot. The document's existence is the claim: the unique _id makes two holders of one slot impossible. */
interface SlotDoc {
  _id: number;
  holder: string;
  epoch: number;
  claimedAt: Date;
}
/** One document per leader epoch that ever claimed; a claimant whose epoch is below the newest is fenced off. */
interface EpochDoc {
  _id: number;
  at: Date;
}

/** FNV-1a: a cheap, stable spread of holders over the slot numbers. */
function hashOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** `slots` rotated to start at its nth element (n taken modulo its length). */
function startingAt(slots: readonly number[], n: number): number[] {
  const k = slots.length ? n % slots.length : 0;
  return [...slots.slice(k), ...slots.slice(0, k)];
}

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/**
 * The admission cap, built on the one atomic primitive every Mongo-wire server enforces: a unique `_id` on
 * insert. FerretDB 1.x (SQLite) loses updates under concurrency even for single-document conditional updates
 * (findOneAndUpdate({holder: null}) handed one slot to several claimants in our tests), so a claim is an insert
 * of {_id: slotNumber} and a release is a delete of the holder's own document.
 */
export class MongoSlots implements Slots {
  private readonly slots: Collection<SlotDoc>;
  private readonly epochs: Collection<EpochDoc>;
  private registered: number | undefined;

  constructor(
    db: Db,
    readonly capacity: number,
    names: { slots?: string; fencing?: string } = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`slot capacity must be a positive integer, got ${capacity}`);
    this.slots = db.collection<SlotDoc>(names.slots ?? "slots");
    this.epochs = db.collection<EpochDoc>(names.fencing ?? "fencing");
  }

  /**
   * Creates the indexes; idempotent. The unique holder index makes "one slot per holder" the server's rule too,
   * not only the claim's: a claim from a stale reading of the table cannot give a holder a second slot.
   */
  async init(): Promise<void> {
    await this.slots.createIndex({ holder: 1 }, { name: "holder_unique", unique: true });
    // The non-unique index of earlier versions.
    await this.slots.dropIndex("holder").catch((err: unknown) => {
      if (!(err instanceof MongoServerError && (err.code === 27 || err.codeName === "IndexNotFound"))) throw err;
    });
  }

  private async newestEpoch(): Promise<number> {
    const doc = await this.epochs.find().sort({ _id: -1 }).limit(1).next();
    return doc?._id ?? 0;
  }

  async enter(epoch: number): Promise<void> {
    this.registered = undefined;
    await this.register(epoch);
    await this.assertCurrent(epoch);
  }

  async assertCurrent(epoch: number): Promise<void> {
    if ((await this.newestEpoch()) > epoch) throw new FencedError(epoch);
  }

  /** Records `epoch` as having claimed, once per epoch: later claims of the same epoch only compare. */
  private async register(epoch: number): Promise<void> {
    if (this.registered === epoch) return;
    try {
      await this.epochs.insertOne({ _id: epoch, at: new Date() });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    this.registered = epoch;
  }

  /**
   * Round trips on the admission path: with a fresh hint, two (the insert, the fence re-check); without one,
   * three (newest epoch ∥ the slot table, the insert, the re-check).
   */
  async claim(holder: string, epoch: number, hint?: ClaimHint): Promise<number | undefined> {
    await this.register(epoch);
    if (hint && !hint.seen.some((h) => h.holder === holder)) {
      const free = this.freeSlots(hint.seen.map((h) => h.slot));
      const slot = await this.insertFirst(holder, epoch, startingAt(free, hint.nth ?? hashOf(holder)));
      if (slot !== undefined) return slot;
      // Every slot free in the hint was taken since: read the table before answering "none free".
    }
    const [newest, docs] = await Promise.all([this.newestEpoch(), this.slots.find({}, { projection: { _id: 1, holder: 1 } }).toArray()]);
    if (newest > epoch) throw new FencedError(epoch);
    const mine = docs.find((d) => d.holder === holder);
    if (mine) return mine._id;
    // Claimants that start together would all try the first free slot and collide in turn; each starts at its own.
    return this.insertFirst(holder, epoch, startingAt(this.freeSlots(docs.map((d) => d._id)), hashOf(holder)));
  }

  private freeSlots(taken: readonly number[]): number[] {
    return Array.from({ length: this.capacity }, (_, slot) => slot).filter((slot) => !taken.includes(slot));
  }

  /** Inserts the holder's document at the first of `candidates` still free, then re-checks the fence. */
  private async insertFirst(holder: string, epoch: number, candidates: readonly number[]): Promise<number | undefined> {
    for (const slot of candidates) {
      try {
        await this.slots.insertOne({ _id: slot, holder, epoch, claimedAt: new Date() });
      } catch (err) {
        if (isDuplicateKey(err)) continue; // someone else took it since we looked
        throw err;
      }
      // A newer leader may have registered while we claimed: give the slot back rather than admit as a stale
      // leader. This check, after the insert, is what fences; the one before it only saves a doomed insert.
      if ((await this.newestEpoch()) > epoch) {
        await this.slots.deleteOne({ _id: slot, holder });
        throw new FencedError(epoch);
      }
      return slot;
    }
    return undefined;
  }

  async release(holder: string): Promise<number> {
    const res = await this.slots.deleteMany({ holder });
    return res.deletedCount;
  }

  async holders(): Promise<SlotHolder[]> {
    const docs = await this.slots.find({}).sort({ _id: 1 }).toArray();
    return docs.map((d) => ({ slot: d._id, holder: d.holder, epoch: d.epoch, claimedAt: d.claimedAt }));
  }
}

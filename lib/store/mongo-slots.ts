import { MongoServerError, type Collection, type Db } from "mongodb";
import { FencedError } from "./fenced-error.js";
import type { SlotHolder, Slots } from "./types.js";

interface SlotDoc {
  _id: number;
  holder: string | null;
  epoch: number;
  claimedAt: Date | null;
}
interface FenceDoc {
  _id: string;
  epoch: number;
}

const FENCE_ID = "slots";

function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/**
 * The admission cap as `capacity` documents {_id: 0..capacity-1, holder, epoch}. Every change is one
 * single-document conditional update, so it holds on MongoDB, DocumentDB and FerretDB alike.
 */
export class MongoSlots implements Slots {
  private readonly slots: Collection<SlotDoc>;
  private readonly fence: Collection<FenceDoc>;

  constructor(
    db: Db,
    readonly capacity: number,
    names: { slots?: string; fencing?: string } = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`slot capacity must be a positive integer, got ${capacity}`);
    this.slots = db.collection<SlotDoc>(names.slots ?? "slots");
    this.fence = db.collection<FenceDoc>(names.fencing ?? "fencing");
  }

  /** Creates the missing slot documents; existing ones (and their holders) are kept. Safe to run concurrently. */
  async init(): Promise<void> {
    for (let i = 0; i < this.capacity; i++) {
      try {
        await this.slots.updateOne({ _id: i }, { $setOnInsert: { holder: null, epoch: 0, claimedAt: null } }, { upsert: true });
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
      }
    }
  }

  /** Raises the fence to `epoch`; a claimant below the fence is refused. */
  private async raiseFence(epoch: number): Promise<void> {
    try {
      await this.fence.updateOne({ _id: FENCE_ID, epoch: { $lte: epoch } }, { $set: { epoch } }, { upsert: true });
    } catch (err) {
      // The upsert tried to insert a second fence document: the existing one is newer than our epoch.
      if (isDuplicateKey(err)) throw new FencedError(epoch);
      throw err;
    }
  }

  async claim(holder: string, epoch: number): Promise<number | undefined> {
    await this.raiseFence(epoch);
    const mine = await this.slots.findOne({ holder });
    if (mine) return mine._id;
    const doc = await this.slots.findOneAndUpdate(
      { _id: { $lt: this.capacity }, holder: null, epoch: { $lte: epoch } },
      { $set: { holder, epoch, claimedAt: new Date() } },
      { sort: { _id: 1 }, returnDocument: "after" },
    );
    return doc ? doc._id : undefined;
  }

  async release(holder: string): Promise<number> {
    const res = await this.slots.updateMany({ holder }, { $set: { holder: null, claimedAt: null } });
    return res.modifiedCount;
  }

  async holders(): Promise<SlotHolder[]> {
    const docs = await this.slots.find({ holder: { $ne: null } }).sort({ _id: 1 }).toArray();
    return docs.map((d) => ({ slot: d._id, holder: d.holder ?? "", epoch: d.epoch, claimedAt: d.claimedAt ?? new Date(0) }));
  }
}

import type { SlotHolder } from "../ports/index.js";

/**
 * Slot holders whose TranscodeJob no longer exists: the job vanished without our cleanup (its finalizer was
 * removed by hand, or it was deleted in the instant between a slot claim and the finalizer write). Without a
 * sweep such a slot would be lost for good, and five of them stop all admission. `grace` covers a cache that has
 * not yet seen a job created moments ago.
 */
export function orphanedHolders(holders: readonly SlotHolder[], known: (uid: string) => boolean, now: number, graceMs: number): SlotHolder[] {
  return holders.filter((h) => !known(h.holder) && now - h.claimedAt.getTime() >= graceMs);
}

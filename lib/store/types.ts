/**
 * The job-record store: job records and admission slots in MongoDB. Works on MongoDB, DocumentDB and FerretDB 1.x:
 * single-document atomic updates only (no transactions, change streams, TTL).
 */

export interface PhaseEntry {
  phase: string;
  at: Date;
  reason?: string;
  message?: string;
}

export interface StoredTaskRef {
  launcher: string;
  id: string;
  attempt: number;
  at: Date;
}

/** One document per TranscodeJob uid; survives deletion of the CR (deletedAt is set then). */
export interface JobRecord {
  _id: string;
  uid: string;
  namespace: string;
  name: string;
  owner: string | null;
  spec: Record<string, unknown>;
  phase: string;
  phaseHistory: PhaseEntry[];
  attempts: number;
  taskRefs: StoredTaskRef[];
  outputs?: Record<string, unknown>;
  reason?: string;
  message?: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date;
}

export interface NewJobRecord {
  uid: string;
  namespace: string;
  name: string;
  owner?: string | undefined;
  spec: Record<string, unknown>;
  createdAt: Date;
  /** The phase the record starts in (its history: Pending at createdAt, then this phase at `at`). */
  phase?: string | undefined;
  at?: Date | undefined;
}

export interface PhaseUpdate {
  phase: string;
  at: Date;
  reason?: string | undefined;
  message?: string | undefined;
  attempts?: number | undefined;
  outputs?: Record<string, unknown> | undefined;
}

export interface JobQuery {
  owner?: string;
  namespace?: string;
  /** The TranscodeJob's name (several records when a name was used again: newest first). */
  name?: string;
  phase?: string;
  /** Newest first; at most this many (default 50, max 500). */
  limit?: number;
  /** Only records created strictly before this instant (keyset pagination). */
  before?: Date;
}

export interface JobStore {
  /** Creates the record if absent (phase "Pending"); never overwrites an existing one. */
  ensure(job: NewJobRecord): Promise<void>;
  /** Moves the record to `phase` and appends to phaseHistory, unless it is already in that phase. */
  recordPhase(uid: string, update: PhaseUpdate): Promise<void>;
  /** Adds a task reference once (idempotent per launcher id). */
  addTaskRef(uid: string, ref: StoredTaskRef): Promise<void>;
  markDeleted(uid: string, at: Date): Promise<void>;
  get(uid: string): Promise<JobRecord | undefined>;
  list(query?: JobQuery): Promise<JobRecord[]>;
}

export interface SlotHolder {
  slot: number;
  holder: string;
  epoch: number;
  claimedAt: Date;
}

/** What a claimant already knows, so that its claim need not read the slot table again. */
export interface ClaimHint {
  /** The slot table as the caller has just read it (holders()). */
  seen: readonly SlotHolder[];
  /**
   * Which of the slots free in `seen` to try first, counting from 0: the caller's place in its admission queue,
   * so that claimants admitted together try different slots instead of colliding.
   */
  nth?: number | undefined;
}

/**
 * The cluster-wide cap. Each slot is one document, so a slot has one holder at most; a claimant whose leader
 * epoch is older than the newest that ever claimed is refused (a deposed leader cannot admit).
 */
export interface Slots {
  readonly capacity: number;
  /**
   * The slot the holder got (or already had); undefined when all are taken. Throws FencedError on a stale epoch.
   * The hint only saves round trips; a claim never takes a slot that is held.
   */
  claim(holder: string, epoch: number, hint?: ClaimHint): Promise<number | undefined>;
  /**
   * Records `epoch` as the newest that acts, and throws FencedError when a newer one already did: a new leader
   * calls it before its first reconcile, so that an older leader's next claim or launch is refused even when
   * the new one has claimed nothing yet.
   */
  enter(epoch: number): Promise<void>;
  /** Throws FencedError when a newer epoch than `epoch` has entered (checked right before a launch). */
  assertCurrent(epoch: number): Promise<void>;
  /** Frees every slot the holder has; returns how many. */
  release(holder: string): Promise<number>;
  holders(): Promise<SlotHolder[]>;
}

import type { Logger } from "../../lib/log.js";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import type { JobCluster, JobObject, JobStatus, JobStore, Slots, TaskLauncher, TaskRef } from "../ports/index.js";
import type { Action, Decision } from "../reconcile/index.js";

export interface ExecutorDeps {
  cluster: JobCluster;
  store: JobStore;
  slots: Slots;
  launcher: TaskLauncher;
  /** The leader's lease epoch; undefined when not leading (then nothing is admitted). */
  epoch: () => number | undefined;
  taskEnv: (job: JobObject, attempt: number) => Record<string, string>;
  now: () => number;
  ownerLabel: string;
  /**
   * The job's owner and its running limit, when one applies; with ownerOf (any slot holder's owner), lets a claim
   * be checked against the limit after it landed (see claimSlot).
   */
  ownerLimit?: ((job: JobObject) => { owner: string; limit: number } | undefined) | undefined;
  ownerOf?: ((uid: string) => string | undefined) | undefined;
}

/**
 * After a claim landed: whether the owner now holds more slots than its limit and this claim is one of the
 * excess (the latest claims by claimedAt, then slot). Admission keeps an owner within its limit from one slot
 * table; this catches two reconciles that decided from different views of the queue (a job of higher priority
 * arriving between them). Every claimant sees the same order, so exactly the excess claims are given back, before
 * any task is launched for them.
 */
async function overOwnerLimit(uid: string, job: JobObject, deps: ExecutorDeps): Promise<{ owner: string; limit: number } | undefined> {
  const l = deps.ownerLimit?.(job);
  if (!l || !deps.ownerOf) return undefined;
  const mine = (await deps.slots.holders())
    .filter((h) => h.holder === uid || deps.ownerOf!(h.holder) === l.owner)
    .sort((a, b) => new Date(a.claimedAt).getTime() - new Date(b.claimedAt).getTime() || a.slot - b.slot);
  const i = mine.findIndex((h) => h.holder === uid);
  return i >= l.limit ? l : undefined;
}

export interface ExecutionResult {
  /** A claim found no free slot: the rest of the decision was dropped. */
  claimLost: boolean;
  /** A slot was claimed by this pass. */
  claimed: boolean;
  /** A slot was given back (queued jobs should look again). */
  released: boolean;
  /** The launch was refused for good (the rest of the decision was dropped): reconcile decides what follows. */
  launchRejected: { message: string } | undefined;
}

/** JSON merge patch turning `prev` into `next` at the top level of .status (removed fields become null). */
export function statusMergePatch(prev: JobStatus | undefined, next: JobStatus): Partial<JobStatus> {
  const patch: Record<string, unknown> = { ...next };
  for (const k of Object.keys(prev ?? {})) if (!(k in next) || (next as Record<string, unknown>)[k] === undefined) patch[k] = null;
  return patch;
}

/** Actions at the head of a decision that run alongside what follows them (see the end of execute). */
const PREPARATION: ReadonlySet<Action["type"]> = new Set(["addFinalizer", "ensureRecord"]);
/** Actions that need not wait for the preparations. */
const UNGATED: ReadonlySet<Action["type"]> = new Set(["claimSlot", "launch"]);

/** Carries out one decision in order. Every action is idempotent, so a crash half-way is repaired by the next reconcile. */
export async function execute(job: JobObject, decision: Decision, deps: ExecutorDeps, log: Logger): Promise<ExecutionResult> {
  const ns = job.metadata?.namespace ?? "";
  const name = job.metadata?.name ?? "";
  const uid = job.metadata?.uid ?? "";
  const result: ExecutionResult = { claimLost: false, claimed: false, released: false, launchRejected: undefined };
  let launched: TaskRef | undefined;
  let claimed = false;
  let launchCalled = false;
  let current = job.status;

  const run = async (a: Action): Promise<"stop" | void> => {
    switch (a.type) {
      case "addFinalizer":
        await deps.cluster.addFinalizer(ns, name);
        return;
      case "removeFinalizer":
        await deps.cluster.removeFinalizer(ns, name);
        return;
      case "ensureRecord":
        await deps.store.ensure({
          uid,
          namespace: ns,
          name,
          owner: job.spec.owner ?? job.metadata?.labels?.[deps.ownerLabel],
          spec: job.spec,
          createdAt: new Date(job.metadata?.creationTimestamp ?? deps.now()),
          phase: a.phase,
          at: new Date(deps.now()),
        });
        return;
      case "recordPhase":
        await deps.store.recordPhase(uid, {
          phase: a.phase,
          at: new Date(deps.now()),
          reason: a.reason,
          message: a.message,
          attempts: a.attempts,
          outputs: a.outputs,
        });
        return;
      case "markDeleted":
        await deps.store.markDeleted(uid, new Date(deps.now()));
        return;
      case "claimSlot": {
        const epoch = deps.epoch();
        if (epoch === undefined) throw new TransientError("not the leader: admission paused", 5_000);
        const slot = await deps.slots.claim(uid, epoch, a.hint);
        if (slot === undefined) {
          result.claimLost = true;
          log.debug("no free slot: admission deferred");
          return "stop";
        }
        const over = await overOwnerLimit(uid, job, deps);
        if (over) {
          await deps.slots.release(uid);
          result.claimLost = true;
          log.info({ slot, owner: over.owner, limit: over.limit }, "owner over its limit after a concurrent claim: slot given back");
          return "stop";
        }
        result.claimed = true;
        log.info({ slot, epoch }, "slot claimed");
        return;
      }
      case "releaseSlot": {
        // Fenced like a launch. A leader deposed mid-pass had decided from its own view: in the chaos suite one
        // released a retried job's slot (its attempt 1 had stopped) after the new leader had launched attempt 2 in
        // it, and a sixth task started in the freed slot. Only the current leader frees slots.
        const epoch = deps.epoch();
        if (epoch === undefined) throw new TransientError("not the leader: slot release withheld", 5_000);
        await deps.slots.assertCurrent(epoch);
        const n = await deps.slots.release(uid);
        if (n > 0) {
          result.released = true;
          log.info("slot released");
        }
        return;
      }
      case "launch": {
        // The fence: still leading by our own clock (a paused process that wakes up past its lease is not), and no
        // newer leader has entered since (lib/store Slots.assertCurrent). Checked here, and again by the launcher
        // right before each RunTask it sends: the launcher's own lookups and the SDK's retries of a throttled call
        // take seconds (the long chaos run saw a sixth task from that gap).
        const epoch = deps.epoch();
        if (epoch === undefined) throw new TransientError("not the leader: launch withheld", 5_000);
        const fence = async (): Promise<void> => {
          if (deps.epoch() !== epoch) throw new TransientError("not the leader any more: launch withheld", 5_000);
          await deps.slots.assertCurrent(epoch);
        };
        await fence();
        try {
          const env = deps.taskEnv(job, a.attempt);
          launchCalled = true;
          log.info({ attempt: a.attempt }, "launching task");
          launched = await deps.launcher.launch({ uid, namespace: ns, name, attempt: a.attempt, env, fence });
        } catch (err) {
          if (!(err instanceof TerminalError)) throw err;
          log.error({ err: err.message, reason: err.reason }, "launch rejected");
          result.launchRejected = { message: err.message };
          return "stop";
        }
        log.info({ task: launched.id, attempt: a.attempt }, "task launched");
        return;
      }
      case "recordTaskRef":
        if (launched) await deps.store.addTaskRef(uid, { ...launched, at: new Date(deps.now()) });
        return;
      case "stopTask":
        if (deps.launcher.kind !== (job.status?.taskRef?.launcher ?? deps.launcher.kind)) {
          log.warn({ task: a.id }, "task belongs to another launcher; cannot stop it from here");
          return;
        }
        await deps.launcher.stop(a.id, a.reason);
        log.info({ task: a.id, reason: a.reason }, "task stop requested");
        return;
      case "patchStatus": {
        const next: JobStatus = a.withLaunchedTaskRef && launched ? { ...a.status, taskRef: launched } : a.status;
        await deps.cluster.patchStatus(ns, name, statusMergePatch(current, next));
        current = next;
        return;
      }
      case "event":
        try {
          await deps.cluster.emitEvent(job, a.event);
        } catch (err) {
          // Events are best effort: a lost Event must not undo a transition that already happened.
          log.warn({ err: (err as Error).message, reason: a.event.reason }, "event not recorded");
        }
        return;
    }
  };

  // The finalizer and the MongoDB record do not gate a launch: the claim does. They run alongside the claim and
  // the launch, and are awaited before anything that reports the launch (the taskRef, the status). Should the job
  // be deleted before its finalizer lands, the leader's orphan sweep stops the task and frees the slot; a task
  // launched before its record existed is found by the launcher's (uid, attempt) lookup.
  let i = 0;
  // Settled at once into `prepError`, so that a failure is never an unhandled rejection while the claim runs.
  let prepError: { reason: unknown } | undefined;
  const preparations: Promise<void>[] = [];
  while (i < decision.actions.length && PREPARATION.has(decision.actions[i]!.type)) {
    preparations.push(run(decision.actions[i++]!).then(() => undefined, (reason: unknown) => void (prepError ??= { reason })));
  }
  const prepared = async (): Promise<void> => {
    await Promise.all(preparations.splice(0));
    if (!prepError) return;
    // A slot claimed alongside is given back, unless a launch was tried (a task may run in it); the pass is retried.
    if (claimed && !launchCalled) {
      claimed = false;
      await deps.slots.release(uid).catch(() => undefined);
    }
    throw prepError.reason;
  };
  try {
    for (; i < decision.actions.length; i++) {
      const a = decision.actions[i]!;
      // A preparation that has already failed dooms the pass: do not launch into it.
      if (!UNGATED.has(a.type) || prepError) await prepared();
      if ((await run(a)) === "stop") break;
      if (a.type === "claimSlot") claimed = true;
    }
  } finally {
    await prepared();
  }
  return result;
}

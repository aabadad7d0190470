import assert from "node:assert/strict";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { createLogger } from "../../lib/log.js";
import { FencedError, type SlotHolder } from "../../lib/store/index.js";
import { execute, statusMergePatch, type ExecutorDeps } from "../../operator/controller/index.js";
import { ConfigError } from "../../lib/config/index.js";
import { loadOperatorConfig } from "../../operator/config/index.js";
import { DescribeBatcher, isCapacityFailure, mapEcsError, startedByFor, clientTokenFor } from "../../operator/launchers/ecs/index.js";
import type { JobObject, JobStatus, TaskRef } from "../../operator/ports/index.js";
import type { Decision } from "../../operator/reconcile/index.js";

const log = createLogger("unit", { level: "silent" });

describe("statusMergePatch", () => {
  const table: { name: string; prev: JobStatus | undefined; next: JobStatus; patch: Record<string, unknown> }[] = [
    { name: "first write", prev: undefined, next: { phase: "Queued" }, patch: { phase: "Queued" } },
    { name: "removed field becomes null", prev: { phase: "Queued", queuePosition: 3 }, next: { phase: "Starting" }, patch: { phase: "Starting", queuePosition: null } },
    { name: "undefined counts as removed", prev: { phase: "Failed", reason: "X" }, next: { phase: "Succeeded", reason: undefined }, patch: { phase: "Succeeded", reason: null } },
  ];
  for (const t of table) it(t.name, () => assert.deepEqual(statusMergePatch(t.prev, t.next), t.patch));
});

describe("mapEcsError", () => {
  const table: { name: string; err: unknown; transient: boolean }[] = [
    { name: "throttling", err: { name: "ThrottlingException", message: "Rate exceeded", $metadata: { httpStatusCode: 400 } }, transient: true },
    { name: "server error", err: { name: "ServerException", message: "boom", $metadata: { httpStatusCode: 500 } }, transient: true },
    { name: "any 5xx", err: { name: "Whatever", message: "x", $metadata: { httpStatusCode: 503 } }, transient: true },
    { name: "429", err: { name: "X", message: "x", $metadata: { httpStatusCode: 429 } }, transient: true },
    { name: "connection refused", err: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), transient: true },
    { name: "SDK-marked retryable", err: { name: "X", $retryable: {}, $metadata: { httpStatusCode: 400 } }, transient: true },
    { name: "invalid parameter", err: { name: "InvalidParameterException", message: "bad", $metadata: { httpStatusCode: 400 } }, transient: false },
    { name: "cluster not found", err: { name: "ClusterNotFoundException", message: "no", $metadata: { httpStatusCode: 400 } }, transient: false },
  ];
  for (const t of table) {
    it(`${t.name} -> ${t.transient ? "transient" : "terminal"}`, () => {
      const e = mapEcsError(t.err, "RunTask");
      assert.ok(t.transient ? e instanceof TransientError : e instanceof TerminalError, e.constructor.name);
      assert.match(e.message, /^RunTask: /);
    });
  }
  const reasons: [string | undefined, boolean][] = [
    ["Capacity is unavailable at this time. Please try again later or in a different availability zone", true],
    ["RESOURCE:MEMORY", true],
    [undefined, true],
    ["MISSING", false],
  ];
  for (const [r, cap] of reasons) it(`RunTask failure reason ${String(r)} is ${cap ? "" : "not "}a capacity problem`, () => assert.equal(isCapacityFailure(r), cap));
});

describe("ECS launch identity", () => {
  it("startedBy and clientToken are stable per (uid, attempt), distinct across attempts, within ECS limits", () => {
    assert.equal(startedByFor("u", 1), startedByFor("u", 1));
    assert.notEqual(startedByFor("u", 1), startedByFor("u", 2));
    assert.ok(startedByFor("u", 1).length <= 36);
    assert.ok(clientTokenFor("u", 1).length <= 64);
    assert.notEqual(clientTokenFor("u", 1), clientTokenFor("v", 1));
  });
});

describe("DescribeBatcher", () => {
  it("coalesces callers of one tick into calls of at most maxBatch ids, each caller gets its own answers", async () => {
    const calls: string[][] = [];
    const b = new DescribeBatcher<string>(async (ids) => {
      calls.push(ids);
      return Promise.resolve(new Map(ids.filter((i) => i !== "gone").map((i) => [i, `state-${i}`])));
    }, 3);
    const r = await Promise.all([b.get(["a", "b"]), b.get(["c"]), b.get(["d", "gone"]), b.get(["a"])]);
    assert.deepEqual(r, [["state-a", "state-b"], ["state-c"], ["state-d", undefined], ["state-a"]]);
    assert.deepEqual(calls.map((c) => c.length), [3, 2]);
  });
  it("a failing call rejects exactly its callers", async () => {
    const b = new DescribeBatcher<string>(() => Promise.reject(new TransientError("down")));
    await assert.rejects(b.get(["x"]), TransientError);
  });
});

describe("loadOperatorConfig", () => {
  const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tj-redis-task-AbCdEf";
  const buckets = { UPLOADS_BUCKET: "up-bucket", OUTPUTS_BUCKET: "out-bucket" };
  const base = { ...buckets, MONGODB_URL: "mongodb://h/", REDIS_URL: "redis://h:6379", ECS_CLUSTER: "c", ECS_TASK_DEFINITION: "td", ECS_SUBNETS: "s-1, s-2", TASK_REDIS_SECRET_ARN: SECRET_ARN };
  const local = { ...buckets, MONGODB_URL: "mongodb://h", REDIS_URL: "redis://operator:pw@h", LAUNCHER: "local", LOCAL_TASK_COMMAND: '["node", "/app/t.mjs"]', TASK_REDIS_URL: "redis://task:pw@h" };
  it("applies documented defaults", () => {
    const c = loadOperatorConfig(base).config;
    assert.equal(c.MAX_CONCURRENT_TASKS, 5);
    assert.deepEqual(c.ECS_SUBNETS, ["s-1", "s-2"]);
    assert.equal(c.LEADER_ELECTION, true);
    assert.equal(c.LAUNCHER, "ecs");
  });
  const bad: [string, Record<string, string>, RegExp][] = [
    ["missing Mongo", { REDIS_URL: "redis://h", LAUNCHER: "local", LOCAL_TASK_COMMAND: '["node"]' }, /MONGODB_URL/],
    ["local without its command", { ...local, LOCAL_TASK_COMMAND: "" }, /LOCAL_TASK_COMMAND: required when LAUNCHER=local/],
    ["a command that is not a JSON array", { ...base, LAUNCHER: "local", LOCAL_TASK_COMMAND: "node main.js" }, /LOCAL_TASK_COMMAND: must be a JSON array of strings/],
    ["cap of zero", { ...base, MAX_CONCURRENT_TASKS: "0" }, /MAX_CONCURRENT_TASKS/],
    ["lease timings out of order", { ...base, LEASE_DURATION_SECONDS: "5", LEASE_RENEW_DEADLINE_SECONDS: "8" }, /LEASE_RENEW_DEADLINE_SECONDS: needs LEASE_DURATION_SECONDS > /],
    ["ECS without subnets", { ...base, ECS_SUBNETS: "" }, /ECS_SUBNETS: required/],
    // The tasks' Redis credential: never the operator's REDIS_URL, never in RunTask overrides.
    ["ECS without the tasks' Redis secret", { ...base, TASK_REDIS_SECRET_ARN: "" }, /TASK_REDIS_SECRET_ARN: required when LAUNCHER=ecs/],
    ["ECS with the tasks' Redis URL (it would be a RunTask override)", { ...base, TASK_REDIS_URL: "redis://task:pw@h" }, /TASK_REDIS_URL: not with LAUNCHER=ecs/],
    ["a secret reference that is not a secret's ARN", { ...base, TASK_REDIS_SECRET_ARN: "tj-redis-task" }, /TASK_REDIS_SECRET_ARN: must be a Secrets Manager secret or SSM parameter ARN/],
    ["local without the tasks' own Redis URL (no fallback to REDIS_URL)", { ...local, TASK_REDIS_URL: "" }, /TASK_REDIS_URL: required when LAUNCHER=local/],
    ["not a number", { ...base, WORKERS: "many" }, /WORKERS/],
  ];
  for (const [name, env, re] of bad) {
    it(`rejects ${name}`, () => assert.throws(() => loadOperatorConfig(env), (e: unknown) => e instanceof ConfigError && re.test(e.message) && e.exitCode === 78));
  }
  it("local launcher needs no ECS settings", () => assert.deepEqual(loadOperatorConfig(local).config.LOCAL_TASK_COMMAND, ["node", "/app/t.mjs"]));
  it("an SSM parameter is a secret reference too", () =>
    assert.equal(loadOperatorConfig({ ...base, TASK_REDIS_SECRET_ARN: "arn:aws:ssm:eu-west-1:123456789012:parameter/tj/redis-task" }).config.TASK_REDIS_SECRET_ARN, "arn:aws:ssm:eu-west-1:123456789012:parameter/tj/redis-task"));
});

/** Records calls at the port interfaces; the executor's ordering rules are pure logic over them. */
function fakes(opts: { claim?: number | undefined; launch?: () => Promise<TaskRef>; fenced?: boolean } = {}) {
  const calls: string[] = [];
  const patches: Partial<JobStatus>[] = [];
  const deps: ExecutorDeps = {
    cluster: {
      get: () => Promise.resolve(undefined),
      patchStatus: (_ns, _n, s) => (calls.push("patchStatus"), patches.push(s), Promise.resolve(undefined)),
      addFinalizer: () => (calls.push("addFinalizer"), Promise.resolve(undefined)),
      removeFinalizer: () => (calls.push("removeFinalizer"), Promise.resolve(undefined)),
      emitEvent: () => (calls.push("event"), Promise.reject(new Error("events API down"))),
    },
    store: {
      ensure: () => (calls.push("ensure"), Promise.resolve()),
      recordPhase: (_u, p) => (calls.push(`record:${p.phase}`), Promise.resolve()),
      addTaskRef: () => (calls.push("addTaskRef"), Promise.resolve()),
      markDeleted: () => Promise.resolve(),
      get: () => Promise.resolve(undefined),
      list: () => Promise.resolve([]),
    },
    slots: {
      capacity: 5,
      claim: () => (calls.push("claim"), Promise.resolve("claim" in opts ? opts.claim : 0)),
      release: () => (calls.push("release"), Promise.resolve(1)),
      holders: () => Promise.resolve([] as SlotHolder[]),
      enter: () => Promise.resolve(),
      assertCurrent: () => (opts.fenced ? Promise.reject(new FencedError(1)) : Promise.resolve()),
    },
    launcher: {
      kind: "ecs",
      launch: () => (calls.push("launch"), opts.launch ? opts.launch() : Promise.resolve({ launcher: "ecs" as const, id: "arn:task/1", attempt: 1 })),
      describe: () => Promise.resolve([]),
      stop: () => (calls.push("stop"), Promise.resolve()),
    },
    epoch: () => 3,
    taskEnv: () => ({}),
    now: () => 0,
    ownerLabel: "o",
  };
  return { deps, calls, patches };
}

describe("execute (action runner over ports)", () => {
  const job: JobObject = { metadata: { name: "j", namespace: "ns", uid: "u" }, spec: { source: { bucket: "b", key: "k" }, output: { bucket: "o", prefix: "p/" } }, status: { phase: "Queued", queuePosition: 1 } };
  const admit: Decision = {
    actions: [
      { type: "claimSlot", hint: { seen: [], nth: 0 } },
      { type: "launch", attempt: 1 },
      { type: "recordTaskRef" },
      { type: "patchStatus", status: { phase: "Starting", attempts: 1 }, withLaunchedTaskRef: true },
      { type: "event", event: { type: "Normal", reason: "Launched", message: "" } },
      { type: "recordPhase", phase: "Starting", attempts: 1 },
    ],
  };

  it("fills taskRef from the launch, removes stale fields, survives a failed Event", async () => {
    const f = fakes();
    const r = await execute(job, admit, f.deps, log);
    assert.deepEqual(f.calls, ["claim", "launch", "addTaskRef", "patchStatus", "event", "record:Starting"]);
    assert.deepEqual(f.patches[0], { phase: "Starting", attempts: 1, taskRef: { launcher: "ecs", id: "arn:task/1", attempt: 1 }, queuePosition: null });
    assert.equal(r.claimLost, false);
  });

  const at = (ms: number) => new Date(ms);
  const ownerTable: { name: string; holders: SlotHolder[]; limit: number; launched: boolean }[] = [
    { name: "within the limit: launched", holders: [{ slot: 0, holder: "a1", epoch: 3, claimedAt: at(1) }, { slot: 1, holder: "u", epoch: 3, claimedAt: at(2) }], limit: 2, launched: true },
    {
      name: "over it, and this claim the latest: given back, nothing launched",
      holders: [{ slot: 0, holder: "a1", epoch: 3, claimedAt: at(1) }, { slot: 1, holder: "a2", epoch: 3, claimedAt: at(2) }, { slot: 2, holder: "u", epoch: 3, claimedAt: at(3) }],
      limit: 2,
      launched: false,
    },
    {
      name: "over it, but another claim is later: this one stays",
      holders: [{ slot: 0, holder: "a1", epoch: 3, claimedAt: at(1) }, { slot: 2, holder: "u", epoch: 3, claimedAt: at(2) }, { slot: 1, holder: "a2", epoch: 3, claimedAt: at(3) }],
      limit: 2,
      launched: true,
    },
    { name: "another owner's slots do not count", holders: [{ slot: 0, holder: "b1", epoch: 3, claimedAt: at(1) }, { slot: 1, holder: "u", epoch: 3, claimedAt: at(2) }], limit: 1, launched: true },
  ];
  for (const t of ownerTable) {
    it(`a claim checked against its owner's limit: ${t.name}`, async () => {
      const f = fakes();
      const owners: Record<string, string> = { a1: "A", a2: "A", b1: "B", u: "A" };
      const deps: ExecutorDeps = { ...f.deps, slots: { ...f.deps.slots, holders: () => Promise.resolve(t.holders) }, ownerOf: (uid) => owners[uid], ownerLimit: () => ({ owner: "A", limit: t.limit }) };
      const r = await execute(job, admit, deps, log);
      assert.equal(f.calls.includes("launch"), t.launched);
      assert.equal(f.calls.includes("release"), !t.launched);
      assert.equal(r.claimLost, !t.launched);
      assert.equal(r.claimed, t.launched);
    });
  }

  it("a lost claim drops the rest of the decision (nothing launched)", async () => {
    const f = fakes({ claim: undefined });
    const r = await execute(job, admit, f.deps, log);
    assert.deepEqual(f.calls, ["claim"]);
    assert.equal(r.claimLost, true);
  });

  it("a launch refused for good stops the pass and reports why (reconcile decides what follows)", async () => {
    const f = fakes({ launch: () => Promise.reject(new TerminalError("RunTask: ClusterNotFoundException", "EcsRequestRejected")) });
    const r = await execute(job, admit, f.deps, log);
    assert.deepEqual(r.launchRejected, { message: "RunTask: ClusterNotFoundException" });
    assert.deepEqual(f.calls, ["claim", "launch"], "nothing reports a launch that did not happen; the slot stays for reconcile to free");
  });

  it("a transient launch failure propagates (the runner retries; the slot stays held for the relaunch)", async () => {
    const f = fakes({ launch: () => Promise.reject(new TransientError("throttled")) });
    await assert.rejects(execute(job, admit, f.deps, log), TransientError);
    assert.deepEqual(f.calls, ["claim", "launch"]);
  });

  /** A port call that takes 5 ms and records when it starts and ends. */
  function timed<T>(f: ReturnType<typeof fakes>, name: string, outcome: () => Promise<T>) {
    return () => {
      f.calls.push(name);
      return new Promise<void>((r) => setTimeout(r, 5)).then(() => (f.calls.push(`${name} done`), outcome()));
    };
  }
  const prepare: Decision = { actions: [{ type: "addFinalizer" }, { type: "ensureRecord", phase: "Queued" }, ...admit.actions] };

  it("the finalizer and the record do not hold up the claim and the launch; what reports the launch waits for them", async () => {
    const f = fakes();
    f.deps.cluster.addFinalizer = timed(f, "addFinalizer", () => Promise.resolve(undefined));
    f.deps.store.ensure = timed(f, "ensure", () => Promise.resolve());
    await execute(job, prepare, f.deps, log);
    assert.deepEqual(f.calls.slice(0, 4), ["addFinalizer", "ensure", "claim", "launch"]);
    assert.deepEqual(f.calls.slice(4, 6).sort(), ["addFinalizer done", "ensure done"]);
    assert.deepEqual(f.calls.slice(6), ["addTaskRef", "patchStatus", "event", "record:Starting"]);
  });

  it("a preparation failing after the launch was tried keeps the slot (a task may run in it) and fails the pass", async () => {
    const f = fakes();
    f.deps.cluster.addFinalizer = timed(f, "addFinalizer", () => Promise.reject(new TransientError("apiserver throttled")));
    await assert.rejects(execute(job, prepare, f.deps, log), /throttled/);
    assert.deepEqual(f.calls, ["addFinalizer", "ensure", "claim", "launch", "addFinalizer done"]);
  });

  it("a preparation failing before any launch gives back the slot claimed alongside", async () => {
    const f = fakes();
    f.deps.cluster.addFinalizer = () => (f.calls.push("addFinalizer"), Promise.reject(new TransientError("apiserver throttled")));
    f.deps.slots.claim = timed(f, "claim", () => Promise.resolve(2));
    await assert.rejects(execute(job, prepare, f.deps, log), /throttled/);
    assert.deepEqual(f.calls, ["addFinalizer", "ensure", "claim", "claim done", "release"]);
  });

  it("a lost claim still waits for the preparations, and gives back nothing", async () => {
    const f = fakes({ claim: undefined });
    f.deps.store.ensure = timed(f, "ensure", () => Promise.resolve());
    const r = await execute(job, prepare, f.deps, log);
    assert.equal(r.claimLost, true);
    assert.deepEqual(f.calls, ["addFinalizer", "ensure", "claim", "ensure done"]);
  });

  it("without leadership nothing is admitted", async () => {
    const f = fakes();
    f.deps.epoch = () => undefined;
    await assert.rejects(execute(job, admit, f.deps, log), /not the leader/);
    assert.deepEqual(f.calls, []);
  });

  it("a slot held from before does not let a deposed leader launch: the fence is checked right before RunTask", async () => {
    const held: Decision = { actions: admit.actions.filter((a) => a.type !== "claimSlot") };
    const fenced = fakes({ fenced: true });
    await assert.rejects(execute(job, held, fenced.deps, log), FencedError);
    assert.deepEqual(fenced.calls, [], "no launch after a newer leader entered");
    const paused = fakes();
    paused.deps.epoch = () => undefined; // leading, but past the renew deadline by its own clock
    await assert.rejects(execute(job, held, paused.deps, log), /not the leader: launch withheld/);
    assert.deepEqual(paused.calls, []);
  });

  it("a deposed leader frees no slot: the release is fenced as the launch is", async () => {
    const done: Decision = { actions: [{ type: "releaseSlot" }] };
    const fenced = fakes({ fenced: true });
    await assert.rejects(execute(job, done, fenced.deps, log), FencedError);
    assert.deepEqual(fenced.calls, [], "no release after a newer leader entered");
    const paused = fakes();
    paused.deps.epoch = () => undefined;
    await assert.rejects(execute(job, done, paused.deps, log), /not the leader: slot release withheld/);
    assert.deepEqual(paused.calls, []);
    const leader = fakes();
    assert.equal((await execute(job, done, leader.deps, log)).released, true);
    assert.deepEqual(leader.calls, ["release"]);
  });
});

import assert from "node:assert/strict";
import { DescribeTasksCommand, ListTasksCommand } from "@aws-sdk/client-ecs";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { GROUP, PLURAL, VERSION } from "../../crds/index.js";
import { EcsLauncher, startedByFor } from "../../operator/launchers/ecs/index.js";
import type { Operator } from "../../operator/app/index.js";
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { testEnv } from "../env/index.js";
import { createJob, deleteJob, getJob, listJobs, ok, openSuite, startOperator, TaskPlayer, waitFor, type OperatorOverrides, type Outcome, type Suite } from "./helpers/operator-harness.js";
import { ecsClient } from "./helpers/ecs.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { EcsFaultProxy } from "../support/ecs-fault-proxy.js";

describe("operator end to end (apiserver, FerretDB, Redis, moto ECS)", function () {
  this.timeout(180_000);
  let s: Suite;
  let op: Operator | undefined;
  let player: TaskPlayer | undefined;
  let maxSlots = 0;
  let slotSampler: NodeJS.Timeout | undefined;

  const policies = new Map<string, (attempt: number) => Outcome>();
  const policy = (name: string, attempt: number): Outcome => {
    for (const [prefix, p] of policies) if (name.startsWith(prefix)) return p(attempt);
    return { after: 300, result: ok };
  };

  before(async () => {
    s = await openSuite("opcore");
  });
  afterEach(async () => {
    player?.stop();
    clearInterval(slotSampler);
    await op?.stop();
    op = undefined;
  });
  after(async () => {
    await s?.close();
  });

  async function run(capacity = 5, viaProxy = false, over: OperatorOverrides = {}) {
    op = startOperator(s, { capacity, viaProxy, ...(viaProxy ? { informer: { idleTimeoutMs: 3000 } } : {}), ...over });
    await op.start();
    player = new TaskPlayer(s, policy);
    player.start(100);
    const slots = op.slots;
    maxSlots = 0;
    slotSampler = setInterval(() => {
      void slots.holders().then((h) => (maxSlots = Math.max(maxSlots, h.length)), () => undefined);
    }, 100);
    return op;
  }

  /** Waits until every named job is Succeeded and returns them; `what` names the wait in a timeout. */
  function succeeded(names: string[], what = `${names.join(", ")} Succeeded`, timeoutMs?: number) {
    return waitFor(
      what,
      async () => {
        const js = await Promise.all(names.map((n) => getJob(s.kc, s.namespace, n)));
        return js.every((j) => j?.status?.phase === "Succeeded") ? js : undefined;
      },
      timeoutMs,
    );
  }

  async function tasksOf(uid: string, attempt: number): Promise<string[]> {
    const out = await s.ecs.send(new ListTasksCommand({ cluster: s.ecsOptions.cluster, startedBy: startedByFor(uid, attempt) }));
    return out.taskArns ?? [];
  }

  it("20 jobs at once: never more than 5 tasks running, all Succeeded, each launched exactly once", async function () {
    // Generous: on a loaded 2-core machine moto's DescribeTasks slows down with every task it holds.
    this.timeout(240_000);
    const operator = await run(5);
    const names = Array.from({ length: 20 }, (_, i) => `burst-${String(i).padStart(2, "0")}`);
    await Promise.all(names.map((n) => createJob(s.kc, s.namespace, n)));
    const done = await waitFor(
      "all 20 Succeeded",
      async () => {
        const jobs = (await listJobs(s.kc, s.namespace)).filter((j) => j.metadata?.name?.startsWith("burst-"));
        return jobs.length === 20 && jobs.every((j) => j.status?.phase === "Succeeded") ? jobs : undefined;
      },
      200_000,
    );
    assert.ok(player!.samples > 10, `sampled ${player!.samples} times`);
    assert.ok(player!.maxRunning <= 5, `at most 5 tasks ran at once (saw ${player!.maxRunning})`);
    assert.ok(player!.maxRunning >= 3, `the cap was actually used (saw ${player!.maxRunning})`);
    assert.ok(maxSlots <= 5, `at most 5 slots held (saw ${maxSlots})`);
    for (const j of done) {
      const uid = j.metadata!.uid!;
      assert.equal(j.status?.attempts, 1, `${j.metadata?.name} attempts`);
      assert.equal((await tasksOf(uid, 1)).length, 1, `${j.metadata?.name} launched exactly once`);
      assert.equal((await tasksOf(uid, 2)).length, 0);
      assert.equal(j.status?.outputs?.masterPlaylist, `outputs/u/${j.metadata?.name}/master.m3u8`);
      assert.ok(j.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True"));
      // The record and the slot follow the status write within the same pass: wait for that pass to end.
      const rec = await waitFor("record Succeeded", async () => {
        const r = await operator.store.get(uid);
        return r?.phase === "Succeeded" ? r : undefined;
      });
      assert.ok(rec?.phaseHistory.some((p) => p.phase === "Running" || p.phase === "Starting"));
      assert.equal(rec?.taskRefs.length, 1);
    }
    await waitFor("every slot released", async () => (await operator.slots.holders()).length === 0 || undefined);
  });

  it("tasks that linger 1-3 s between their result and STOPPED never put more than five alive at once; retries wait for the previous task", async function () {
    this.timeout(240_000);
    // Real Fargate tasks take seconds from their exit to STOPPED, and StopTask does not make that instant: the
    // proxy holds the operator's StopTask until the simulated container has exited and lingered its lag.
    const lag = (name: string, attempt: number) => 1000 + ((name.charCodeAt(name.length - 1) * 7 + attempt * 13) % 2000);
    const outcome = (name: string, attempt: number): Outcome =>
      name.startsWith("linger-r") && attempt === 1
        ? { after: 400, exitLagMs: lag(name, attempt), result: { ok: false, exitCode: 75, reason: "S3Unavailable", message: "retry me" } }
        : { after: 400, exitLagMs: lag(name, attempt), result: ok };
    const proxy = await new EcsFaultProxy(testEnv().ecs.endpoint).start();
    const viaProxy = ecsClient(proxy.url);
    try {
      op = startOperator(s, { capacity: 5, ecs: viaProxy });
      await op.start();
      player = new TaskPlayer(s, outcome);
      proxy.faults.stopDelayMs = (task) => player!.stopDelayMs(task);
      player.start(100);
      const names = [...Array.from({ length: 12 }, (_, i) => `linger-${String(i).padStart(2, "0")}`), "linger-r1", "linger-r2", "linger-r3"];
      await Promise.all(names.map((n) => createJob(s.kc, s.namespace, n)));
      const done = await succeeded(names, "every lingering job Succeeded", 200_000);
      assert.ok(player.samples > 20, `sampled ${player.samples} times`);
      assert.ok(player.maxRunning <= 5, `at most 5 tasks alive at once (saw ${player.maxRunning})`);
      assert.ok(player.maxRunning >= 4, `the cap was used (saw ${player.maxRunning})`);
      assert.ok((proxy.injected.get("stop-held") ?? 0) > 0, "the operator's StopTask calls met lingering tasks");
      for (const j of done.map((x) => x!)) {
        const uid = j.metadata!.uid!;
        const retried = j.metadata!.name!.startsWith("linger-r");
        assert.equal(j.status?.attempts, retried ? 2 : 1, `${j.metadata?.name} attempts`);
        for (const a of retried ? [1, 2] : [1]) assert.equal((await tasksOf(uid, a)).length, 1, `${j.metadata?.name} attempt ${a} launched once`);
      }
      await waitFor("every slot released", async () => (await op!.slots.holders()).length === 0 || undefined);
      assert.equal((await player.running()).length, 0, "no task left running once every job is final");
    } finally {
      viaProxy.destroy();
      await proxy.stop();
    }
  });

  it("a launch ECS refuses for good (no such task definition) ends Failed with Complete=False and Failed=True, its slot freed", async () => {
    op = startOperator(s, { capacity: 1, ecsOptions: { ...s.ecsOptions, taskDefinition: "no-such-family" } });
    await op.start();
    await createJob(s.kc, s.namespace, "rejected-a");
    const j = await waitFor("rejected-a Failed", async () => {
      const x = await getJob(s.kc, s.namespace, "rejected-a");
      return x?.status?.phase === "Failed" ? x : undefined;
    });
    const cond = (type: string) => j.status?.conditions?.find((c) => c.type === type);
    assert.equal(j.status?.reason, "LaunchFailed");
    // The launcher's first call for a new task definition is its secrets check, before any RunTask.
    assert.match(j.status?.message ?? "", /DescribeTaskDefinition: .*Unable to describe task definition/);
    assert.equal(cond("Complete")?.status, "False", "kubectl wait --for=condition=Complete=false sees it");
    assert.equal(cond("Failed")?.status, "True", "kubectl wait --for=condition=Failed returns for it");
    assert.equal(j.status?.attempts ?? 0, 0, "no attempt ran");
    await waitFor("its slot freed", async () => (await op!.slots.holders()).length === 0 || undefined);
    const rec = await waitFor("record Failed", async () => {
      const r = await op!.store.get(j.metadata!.uid!);
      return r?.phase === "Failed" ? r : undefined;
    });
    assert.equal(rec.reason, "LaunchFailed");
  });

  it("a replica that leads again starts a new Operator in the same process and metrics registry, and it admits", async () => {
    const registry = new Registry();
    const first = startOperator(s, { registry });
    await first.start();
    await first.stop();
    // Before, the second term's metrics collided with the first's and the process crashed.
    op = startOperator(s, { registry });
    await op.start();
    player = new TaskPlayer(s, policy);
    player.start(100);
    await createJob(s.kc, s.namespace, "again-a");
    await succeeded(["again-a"]);
    assert.match(await registry.metrics(), /transcode_operator_jobs\{phase="Succeeded"\} [1-9]/, "jobs by phase come from the current term's cache");
  });

  it("a retryable exit is retried up to maxAttempts, then Failed; a permanent exit fails at once", async () => {
    policies.set("retry-", () => ({ after: 100, result: { ok: false, exitCode: 75, reason: "S3Unavailable", message: "upload failed" } }));
    policies.set("perm-", () => ({ after: 100, result: { ok: false, exitCode: 65, reason: "CorruptInput", message: "not a video" } }));
    const operator = await run(5);
    await createJob(s.kc, s.namespace, "retry-a", { maxAttempts: 3 });
    await createJob(s.kc, s.namespace, "perm-a", { maxAttempts: 3 });
    const retry = await waitFor("retry-a Failed", async () => {
      const j = await getJob(s.kc, s.namespace, "retry-a");
      return j?.status?.phase === "Failed" ? j : undefined;
    });
    const perm = await waitFor("perm-a Failed", async () => {
      const j = await getJob(s.kc, s.namespace, "perm-a");
      return j?.status?.phase === "Failed" ? j : undefined;
    });
    assert.equal(retry.status?.attempts, 3);
    assert.equal(retry.status?.reason, "BackoffLimitExceeded");
    assert.match(retry.status?.message ?? "", /S3Unavailable/);
    for (const a of [1, 2, 3]) assert.equal((await tasksOf(retry.metadata!.uid!, a)).length, 1, `attempt ${a} ran once`);
    assert.equal((await tasksOf(retry.metadata!.uid!, 4)).length, 0);
    assert.equal(perm.status?.attempts, 1);
    assert.equal(perm.status?.reason, "CorruptInput");
    assert.equal((await tasksOf(perm.metadata!.uid!, 2)).length, 0, "no retry of a permanent failure");
    const rec = await waitFor("record Failed", async () => {
      const r = await operator.store.get(retry.metadata!.uid!);
      return r?.phase === "Failed" ? r : undefined;
    });
    assert.equal(rec?.attempts, 3);
    assert.equal(rec?.taskRefs.length, 3);
    await waitFor("slots released", async () => (await operator.slots.holders()).length === 0 || undefined);
  });

  it("deleting a Running job stops its task, frees its slot for the next Queued job, keeps its record", async () => {
    policies.set("hold-", () => "hold");
    const operator = await run(2);
    await createJob(s.kc, s.namespace, "hold-1");
    await createJob(s.kc, s.namespace, "hold-2");
    await waitFor("two Running", async () => {
      const jobs = await Promise.all(["hold-1", "hold-2"].map((n) => getJob(s.kc, s.namespace, n)));
      return jobs.every((j) => j?.status?.phase === "Running") || undefined;
    });
    await createJob(s.kc, s.namespace, "hold-3");
    const queued = await waitFor("hold-3 Queued with a position", async () => {
      const j = await getJob(s.kc, s.namespace, "hold-3");
      return j?.status?.phase === "Queued" && j.status.queuePosition === 1 ? j : undefined;
    });
    assert.equal(queued.status?.queuePosition, 1);
    const victim = (await getJob(s.kc, s.namespace, "hold-1"))!;
    const arn = victim.status!.taskRef!.id;
    await deleteJob(s.kc, s.namespace, "hold-1");
    await waitFor("hold-1 gone", async () => (await getJob(s.kc, s.namespace, "hold-1")) === undefined || undefined);
    const stopped = (await player!.running()).find((t) => t.taskArn === arn);
    assert.equal(stopped, undefined, "the deleted job's task is no longer running");
    const third = await waitFor("hold-3 Running", async () => {
      const j = await getJob(s.kc, s.namespace, "hold-3");
      return j?.status?.phase === "Running" ? j : undefined;
    });
    assert.ok(third.status?.taskRef);
    const rec = await operator.store.get(victim.metadata!.uid!);
    assert.equal(rec?.phase, "Cancelled");
    assert.ok(rec?.deletedAt);
    assert.equal(player!.maxRunning, 2);
    // Let the held tasks finish so the suite ends clean.
    for (const t of await player!.running()) await player!.finish(t.taskArn!, ok);
    await succeeded(["hold-2", "hold-3"]);
  });

  it("deleting a job whose launch never reached its status still stops that task before freeing the slot", async () => {
    const operator = await run(5);
    await createJob(s.kc, s.namespace, "lost-write", { suspend: true });
    const job = await waitFor("finalizer and Suspended", async () => {
      const j = await getJob(s.kc, s.namespace, "lost-write");
      return j?.metadata?.finalizers?.length && j.status?.conditions?.some((c) => c.reason === "Suspended") ? j : undefined;
    });
    const uid = job.metadata!.uid!;
    // What a crash between RunTask and the status write leaves behind: a slot and a running task, no taskRef.
    await operator.slots.claim(uid, 1);
    const lost = await new EcsLauncher(s.ecs, s.ecsOptions).launch({ uid, namespace: s.namespace, name: "lost-write", attempt: 1, env: { TJ_JOB_UID: uid } });
    await deleteJob(s.kc, s.namespace, "lost-write");
    await waitFor("lost-write gone", async () => (await getJob(s.kc, s.namespace, "lost-write")) === undefined || undefined);
    const running = await player!.running();
    assert.equal(running.find((t) => t.taskArn === lost.id), undefined, "the untracked task was stopped");
    assert.ok(!(await operator.slots.holders()).some((h) => h.holder === uid), "slot released");
    assert.equal((await operator.store.get(uid))?.phase, "Cancelled");
  });

  it("a restarted operator re-adopts running tasks: no job launched twice, none lost", async () => {
    policies.set("restart-", () => ({ after: 1500, result: ok }));
    const first = await run(5);
    const names = Array.from({ length: 8 }, (_, i) => `restart-${i}`);
    await Promise.all(names.map((n) => createJob(s.kc, s.namespace, n)));
    await waitFor("some running", async () => {
      const jobs = await Promise.all(names.map((n) => getJob(s.kc, s.namespace, n)));
      return jobs.filter((j) => j?.status?.phase === "Running").length >= 3 || undefined;
    });
    await first.stop();
    const maxBefore = player!.maxRunning;
    player!.stop();
    clearInterval(slotSampler);
    const second = await run(5);
    const jobs = await succeeded(names, "all 8 Succeeded after the restart", 60_000);
    for (const j of jobs) {
      assert.equal(j!.status?.attempts, 1);
      assert.equal((await tasksOf(j!.metadata!.uid!, 1)).length, 1, `${j!.metadata?.name} launched once across the restart`);
    }
    assert.ok(Math.max(maxBefore, player!.maxRunning) <= 5);
    await waitFor("slots released", async () => (await second.slots.holders()).length === 0 || undefined);
  });

  it("a task's result notice ends its attempt at once, long before the next poll; a missed notice is caught by the poll", async () => {
    policies.set("notice-", () => "hold");
    const operator = await run(1, false, { pollMs: 30_000 });
    await createJob(s.kc, s.namespace, "notice-a");
    const arnA = await waitFor("notice-a running", () => Promise.resolve(player!.taskOf("notice-a")));
    await createJob(s.kc, s.namespace, "notice-b");
    await waitFor("notice-b Queued", async () => ((await getJob(s.kc, s.namespace, "notice-b"))?.status?.phase === "Queued" ? true : undefined));
    // The result is written but the task has not exited: the attempt is over all the same, and the operator
    // stops the task at once instead of waiting for its exit (its slot is freed once it is STOPPED).
    const t0 = Date.now();
    await player!.finish(arnA, ok, { exit: false });
    await succeeded(["notice-a"], "notice-a Succeeded", 10_000);
    const arnB = await waitFor("notice-b launched into the freed slot", () => Promise.resolve(player!.taskOf("notice-b")), 10_000);
    assert.ok(Date.now() - t0 < 10_000, "seen through the notice, not the 30 s poll");
    const [a] = (await s.ecs.send(new DescribeTasksCommand({ cluster: s.ecsOptions.cluster, tasks: [arnA] }))).tasks ?? [];
    assert.equal(a?.lastStatus, "STOPPED", "the operator stopped the task that wrote its result");
    assert.match(a?.stoppedReason ?? "", /wrote its result/);
    assert.ok(player!.maxRunning <= 1, `never two tasks alive under a cap of 1 (saw ${player!.maxRunning})`);
    assert.ok((await operator.slots.holders()).length <= 1);

    await operator.stop();
    op = undefined;
    player!.stop();
    clearInterval(slotSampler);
    await run(1, false, { pollMs: 300 });
    await waitFor("notice-b seen again", () => Promise.resolve(player!.taskOf("notice-b") === arnB || undefined));
    await player!.finish(arnB, ok, { announce: false });
    await succeeded(["notice-b"], "notice-b Succeeded through the poll", 15_000);
  });

  it("a result, written with the tasks' credential, naming an output outside the job's prefix fails the job InvalidResult, not retried", async () => {
    policies.set("forged-", () => "hold");
    await run(2);
    await createJob(s.kc, s.namespace, "forged-a");
    const arn = await waitFor("forged-a running", () => Promise.resolve(player!.taskOf("forged-a")));
    // What a compromised task could write: a success pointing at another job's objects.
    const forged = { ok: true, exitCode: 0, outputs: { masterPlaylist: "outputs/u/someone-else/master.m3u8", renditions: [] } };
    await player!.finish(arn, forged, { asIs: true });
    const j = await waitFor("forged-a Failed", async () => {
      const job = await getJob(s.kc, s.namespace, "forged-a");
      return job?.status?.phase === "Failed" ? job : undefined;
    });
    assert.equal(j.status?.reason, "InvalidResult");
    assert.match(j.status?.message ?? "", /outputs\/u\/someone-else\/master\.m3u8/);
    assert.equal(j.status?.outputs, undefined);
    assert.equal(j.status?.attempts, 1, "not retried");
  });

  it("a job force-deleted while the operator was down (finalizer removed by hand) loses its slot only after its task is stopped", async () => {
    policies.set("orphan-", () => "hold");
    const sweep = { everyMs: 200, graceMs: 500 };
    const first = await run(1, false, { orphanSweep: sweep });
    const a = await createJob(s.kc, s.namespace, "orphan-a");
    const arnA = await waitFor("orphan-a running", () => Promise.resolve(player!.taskOf("orphan-a")));
    await createJob(s.kc, s.namespace, "orphan-b");
    await first.stop();
    op = undefined;
    player!.stop();
    clearInterval(slotSampler);
    await s.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: s.namespace, plural: PLURAL, name: "orphan-a", body: { metadata: { finalizers: null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await deleteJob(s.kc, s.namespace, "orphan-a");
    assert.equal(await getJob(s.kc, s.namespace, "orphan-a"), undefined, "gone at once, without the operator's cleanup");
    const second = await run(1, false, { orphanSweep: sweep });
    assert.deepEqual((await second.slots.holders()).map((h) => h.holder), [a.metadata!.uid], "the slot is still held");
    const arnB = await waitFor("orphan-b launched into the freed slot", () => Promise.resolve(player!.taskOf("orphan-b")), 20_000);
    const tasks = await s.ecs.send(new DescribeTasksCommand({ cluster: s.ecsOptions.cluster, tasks: [arnA, arnB] }));
    assert.equal(tasks.tasks?.find((t) => t.taskArn === arnA)?.desiredStatus, "STOPPED", "orphan-a's task was stopped before its slot was reused");
    assert.ok(player!.maxRunning <= 1 && maxSlots <= 1);
    await player!.finish(arnB, ok);
    await succeeded(["orphan-b"]);
  });

  it("a job that vanishes while the operator runs (its finalizer never ran) has its task stopped at once, not after the sweep's 60 s grace", async () => {
    policies.set("vanish-", () => "hold");
    await run(1); // the periodic sweep at its defaults: every 30 s, slots older than 60 s
    await createJob(s.kc, s.namespace, "vanish-a");
    const arnA = await waitFor("vanish-a running", () => Promise.resolve(player!.taskOf("vanish-a")));
    await createJob(s.kc, s.namespace, "vanish-b");
    await s.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: s.namespace, plural: PLURAL, name: "vanish-a", body: { metadata: { finalizers: null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const t0 = Date.now();
    await deleteJob(s.kc, s.namespace, "vanish-a");
    const arnB = await waitFor("vanish-b launched into the freed slot", () => Promise.resolve(player!.taskOf("vanish-b")), 15_000);
    const took = Date.now() - t0;
    const [a] = (await s.ecs.send(new DescribeTasksCommand({ cluster: s.ecsOptions.cluster, tasks: [arnA] }))).tasks ?? [];
    assert.equal(a?.lastStatus, "STOPPED");
    assert.match(a?.stoppedReason ?? "", /no longer exists/);
    assert.ok(took < 15_000, `slot reused ${took} ms after the delete`);
    assert.ok(player!.maxRunning <= 1);
    await player!.finish(arnB, ok);
    await succeeded(["vanish-b"]);
  });

  it("suspending a Running job stops its task and frees its slot for the next job; resumed, it runs its next attempt", async () => {
    policies.set("susp-", () => "hold");
    const patch = (name: string, spec: Record<string, unknown>) =>
      s.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
        { group: GROUP, version: VERSION, namespace: s.namespace, plural: PLURAL, name, body: { spec } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
    const operator = await run(1);
    await createJob(s.kc, s.namespace, "susp-a");
    await waitFor("susp-a Running", async () => (await getJob(s.kc, s.namespace, "susp-a"))?.status?.phase === "Running" || undefined);
    // The status can say Running before the player's next look at ECS has seen the task.
    const arnA = await waitFor("susp-a's task seen", () => Promise.resolve(player!.taskOf("susp-a")));
    await createJob(s.kc, s.namespace, "susp-b");
    await patch("susp-a", { suspend: true });
    const a = await waitFor("susp-a Queued and suspended", async () => {
      const j = await getJob(s.kc, s.namespace, "susp-a");
      return j?.status?.phase === "Queued" && j.status.conditions?.some((c) => c.type === "Admitted" && c.reason === "Suspended") ? j : undefined;
    });
    assert.equal(a.status?.conditions?.find((c) => c.type === "Running")?.reason, "Suspended");
    const [stoppedA] = (await s.ecs.send(new DescribeTasksCommand({ cluster: s.ecsOptions.cluster, tasks: [arnA] }))).tasks ?? [];
    assert.equal(stoppedA?.lastStatus, "STOPPED", "the suspended job's task was stopped");
    const arnB = await waitFor("susp-b launched into the freed slot", () => Promise.resolve(player!.taskOf("susp-b")));
    await player!.finish(arnB, ok);
    await succeeded(["susp-b"]);
    await patch("susp-a", { suspend: false });
    const resumed = await waitFor("susp-a runs again", async () => {
      const j = await getJob(s.kc, s.namespace, "susp-a");
      return j?.status?.phase === "Running" && j.status.attempts === 2 ? j : undefined;
    });
    // The status can say Running before the player's next look at ECS has seen the task.
    await player!.finish(await waitFor("susp-a attempt 2's task seen", () => Promise.resolve(player!.taskOfAttempt("susp-a", 2))), ok);
    await succeeded(["susp-a"]);
    assert.equal(resumed.status?.taskRef?.attempt, 2);
    assert.equal(player!.maxRunning, 1, "never two tasks under a cap of 1");
    await waitFor("slots released", async () => (await operator.slots.holders()).length === 0 || undefined);
  });

  it("the stall watchdog: a running task that reports nothing is stopped and its attempt retried (Stalled)", async () => {
    // Attempt 1 runs but never reports (no progress, no heartbeat); attempt 2 succeeds.
    policies.set("stall-", (attempt) => (attempt === 1 ? "hold" : { after: 200, result: ok }));
    const operator = await run(2, false, { stallTimeoutMs: 1500 });
    await createJob(s.kc, s.namespace, "stall-a");
    const [done] = await succeeded(["stall-a"], "stall-a Succeeded on attempt 2", 60_000);
    assert.equal(done?.status?.attempts, 2);
    const [first] = (await s.ecs.send(new DescribeTasksCommand({ cluster: s.ecsOptions.cluster, tasks: (await tasksOf(done.metadata!.uid!, 1)) }))).tasks ?? [];
    assert.equal(first?.lastStatus, "STOPPED");
    assert.match(first?.stoppedReason ?? "", /reported no progress/);
    const rec = await waitFor("record Succeeded", async () => {
      const r = await operator.store.get(done.metadata!.uid!);
      return r?.phase === "Succeeded" ? r : undefined;
    });
    assert.ok(rec.phaseHistory.some((p) => p.phase === "Queued" && p.reason === "Stalled"), "the stall is in the job's history");
    const events = await s.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: s.namespace, fieldSelector: `involvedObject.name=stall-a` });
    assert.ok(events.items.some((e) => e.reason === "AttemptFailed" && /Stalled/.test(e.message ?? "")), "an Event says why");
  });

  it("admits by priority then FIFO, holds suspended jobs, and admits them once resumed", async () => {
    policies.set("prio-", () => "hold");
    await run(1);
    await createJob(s.kc, s.namespace, "prio-blocker");
    await waitFor("blocker Running", async () => (await getJob(s.kc, s.namespace, "prio-blocker"))?.status?.phase === "Running" || undefined);
    await createJob(s.kc, s.namespace, "prio-low-old", { priority: 0 });
    await new Promise((r) => setTimeout(r, 1100)); // creationTimestamp has one-second resolution
    await createJob(s.kc, s.namespace, "prio-low-new", { priority: 0 });
    await createJob(s.kc, s.namespace, "prio-high", { priority: 10 });
    await createJob(s.kc, s.namespace, "prio-suspended", { priority: 50, suspend: true });
    const positions = await waitFor("queue positions", async () => {
      const js = await Promise.all(["prio-high", "prio-low-old", "prio-low-new", "prio-suspended"].map((n) => getJob(s.kc, s.namespace, n)));
      const pos = js.map((j) => j?.status?.queuePosition);
      return pos[0] === 1 && pos[1] === 2 && pos[2] === 3 && js[3]?.status?.phase === "Queued" ? js : undefined;
    });
    const suspended = positions[3]!;
    assert.equal(suspended.status?.phase, "Queued");
    assert.equal(suspended.status?.queuePosition, undefined);
    assert.equal(suspended.status?.conditions?.find((c) => c.type === "Admitted")?.reason, "Suspended");
    const nextRunning = () =>
      waitFor("one running task", async () => {
        const ts = await player!.running();
        return ts.length === 1 && player!.seen.get(ts[0]!.taskArn!) ? ts[0] : undefined;
      });
    const order: string[] = [];
    for (let i = 0; i < 2; i++) {
      const running = await nextRunning();
      const name = player!.seen.get(running.taskArn!)!.name;
      if (name !== "prio-blocker") order.push(name);
      await player!.finish(running.taskArn!, ok);
      await succeeded([name]);
    }
    const third = await nextRunning();
    order.push(player!.seen.get(third.taskArn!)!.name);
    assert.deepEqual(order, ["prio-high", "prio-low-old"]);
    // Resume the suspended job while prio-low-old runs: it outranks prio-low-new.
    await s.kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: s.namespace, plural: PLURAL, name: "prio-suspended", body: { spec: { suspend: false } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await waitFor("resumed job heads the queue", async () => (await getJob(s.kc, s.namespace, "prio-suspended"))?.status?.queuePosition === 1 || undefined);
    await player!.finish(third.taskArn!, ok);
    await succeeded(["prio-low-old"]);
    const resumed = await nextRunning();
    assert.equal(player!.seen.get(resumed.taskArn!)!.name, "prio-suspended");
    await player!.finish(resumed.taskArn!, ok);
    await waitFor("prio-low-new runs last", async () => {
      for (const t of await player!.running()) await player!.finish(t.taskArn!, ok);
      return (await getJob(s.kc, s.namespace, "prio-low-new"))?.status?.phase === "Succeeded" || undefined;
    });
    assert.equal(player!.maxRunning, 1);
  });

  it("ECS and Redis unreachable for a while: jobs wait (cap kept), then all complete, each launched once", async () => {
    const ecsUrl = new URL(testEnv().ecs.endpoint);
    const redisUrl = new URL(testEnv().redis.clients.operator);
    const ecsProxy = new FaultProxy({ host: ecsUrl.hostname, port: Number(ecsUrl.port) });
    const redisProxy = new FaultProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
    await ecsProxy.start();
    await redisProxy.start();
    const ecs = ecsClient(`http://127.0.0.1:${ecsProxy.port}`);
    const redis = new Redis(redisProxy.through(testEnv().redis.clients.operator), { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
    redis.on("error", () => undefined);
    try {
      const outageEnds = Date.now() + 4000;
      ecsProxy.cut(4000);
      redisProxy.cut(4000);
      const operator = await run(3, false, { ecs, redis });
      const names = Array.from({ length: 6 }, (_, i) => `outage-${i}`);
      await Promise.all(names.map((n) => createJob(s.kc, s.namespace, n)));
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok((await operator.slots.holders()).length <= 3);
      // Mid-run outage as well, while tasks run and results are read.
      await waitFor("something running", async () => (await player!.running()).length > 0 || undefined);
      ecsProxy.cut(2000);
      redisProxy.cut(2000);
      const jobs = await succeeded(names, "all 6 Succeeded", 90_000);
      for (const j of jobs) assert.equal((await tasksOf(j!.metadata!.uid!, 1)).length, 1, `${j!.metadata?.name} launched once`);
      const firstLaunch = Math.min(...[...player!.seen.values()].filter((t) => t.name.startsWith("outage-")).map((t) => t.firstSeen));
      assert.ok(firstLaunch >= outageEnds - 250, "nothing was launched while ECS was unreachable");
      assert.ok(player!.maxRunning <= 3);
      assert.ok(maxSlots <= 3);
    } finally {
      redis.disconnect();
      ecs.destroy();
      await ecsProxy.stop();
      await redisProxy.stop();
    }
  });

  it("watch connections cut server-side mid-run lose no job", async () => {
    const operator = await run(5, true);
    const names = Array.from({ length: 12 }, (_, i) => `cut-${String(i).padStart(2, "0")}`);
    await Promise.all(names.slice(0, 6).map((n) => createJob(s.kc, s.namespace, n)));
    await new Promise((r) => setTimeout(r, 400));
    s.proxy.cut(1500);
    // Created while the operator cannot reach the apiserver: only a relist/resumed watch can reveal them.
    await Promise.all(names.slice(6).map((n) => createJob(s.kc, s.namespace, n)));
    await new Promise((r) => setTimeout(r, 2000));
    s.proxy.cut();
    await waitFor(
      "all 12 Succeeded",
      async () => {
        const jobs = (await listJobs(s.kc, s.namespace)).filter((j) => j.metadata?.name?.startsWith("cut-"));
        return jobs.length === 12 && jobs.every((j) => j.status?.phase === "Succeeded") ? jobs : undefined;
      },
      90_000,
    );
    assert.ok(s.proxy.cuts >= 2);
    assert.ok(player!.maxRunning <= 5);
    assert.ok(operator.ready(), "the watch recovered and /readyz would say so");
  });
});

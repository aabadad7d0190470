import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTasksCommand, RegisterTaskDefinitionCommand, type ContainerDefinition } from "@aws-sdk/client-ecs";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { EcsLauncher, startedByFor, type EcsLauncherOptions } from "../../operator/launchers/ecs/index.js";
import { testEnv } from "../env/index.js";
import { EcsFaultProxy } from "../support/ecs-fault-proxy.js";
import { ecsClient, holdTasksRunning, restoreTaskTransitions, setupEcs, TASK_REDIS_SECRET_ARN } from "./helpers/ecs.js";

describe("EcsLauncher against moto", function () {
  this.timeout(60_000);
  let ecs: ECSClient;
  let options: EcsLauncherOptions;
  let describeCalls = 0;

  before(async () => {
    ({ ecs, options } = await setupEcs("launcher"));
    await holdTasksRunning();
    ecs.middlewareStack.add(
      (next, ctx) => (args) => {
        if (ctx.commandName === "DescribeTasksCommand") describeCalls++;
        return next(args);
      },
      { step: "initialize", name: "countDescribe" },
    );
  });
  after(async () => {
    await restoreTaskTransitions();
    ecs?.destroy();
  });

  const env = (uid: string) => ({ TJ_JOB_UID: uid, TJ_ATTEMPT: "1", AWS_REGION: "us-east-1" });

  it("launch is idempotent per (uid, attempt) and carries the env as container overrides", async () => {
    const launcher = new EcsLauncher(ecs, options);
    const uid = randomUUID();
    const req = { uid, namespace: "ns", name: "j", attempt: 1, env: env(uid) };
    const first = await launcher.launch(req);
    const c = await launcher.launch(req);
    assert.equal(c.id, first.id, "a repeated launch re-adopts the task");
    assert.deepEqual(c, { launcher: "ecs", id: first.id, attempt: 1 });
    const d = await ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [c.id] }));
    const overrides = d.tasks?.[0]?.overrides?.containerOverrides?.[0];
    assert.equal(overrides?.name, "transcoder");
    assert.deepEqual(overrides?.environment?.find((e) => e.name === "TJ_JOB_UID")?.value, uid);
    assert.equal(d.tasks?.[0]?.launchType, "FARGATE");
    // A new attempt is a new task.
    const next = await launcher.launch({ ...req, attempt: 2 });
    assert.notEqual(next.id, c.id);
  });

  it("sequential launches of one attempt start exactly one task", async () => {
    const launcher = new EcsLauncher(ecs, options);
    const uid = randomUUID();
    const req = { uid, namespace: "ns", name: "j", attempt: 1, env: env(uid) };
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await launcher.launch(req)).id);
    assert.equal(ids.size, 1);
    const list = await ecs.send(new ListTasksCommand({ cluster: options.cluster, startedBy: startedByFor(uid, 1) }));
    assert.equal(list.taskArns?.length, 1);
  });

  it("describe coalesces concurrent callers into DescribeTasks calls of at most 100 tasks", async () => {
    const launcher = new EcsLauncher(ecs, options);
    const refs = [];
    for (let i = 0; i < 101; i++) {
      const uid = randomUUID();
      refs.push(await launcher.launch({ uid, namespace: "ns", name: `j${i}`, attempt: 1, env: env(uid) }));
    }
    describeCalls = 0;
    const states = await Promise.all(refs.map((r) => launcher.describe([r.id])));
    assert.equal(describeCalls, 2, "101 tasks -> 2 calls (100 + 1)");
    assert.ok(states.every(([s]) => s?.state === "Running"));
  });

  it("stop makes the task Stopped with its reason; stopping twice is fine; unknown ids are Missing", async () => {
    const launcher = new EcsLauncher(ecs, options);
    const uid = randomUUID();
    const ref = await launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: env(uid) });
    await launcher.stop(ref.id, "TranscodeJob deleted");
    await launcher.stop(ref.id, "TranscodeJob deleted");
    const [s] = await launcher.describe([ref.id]);
    assert.equal(s?.state, "Stopped");
    assert.equal(s?.stopReason, "TranscodeJob deleted");
    const missing = ref.id.replace(/[0-9a-f-]{36}$/, randomUUID());
    const [m] = await launcher.describe([missing]);
    assert.equal(m?.state, "Missing");
    // A stopped attempt is still found by startedBy: no second task for it.
    const again = await launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: env(uid) });
    assert.equal(again.id, ref.id);
  });

  it("the leader's fence runs before every RunTask sent, the SDK's retries of a throttled one included: refused, no task starts", async () => {
    const proxy = await new EcsFaultProxy(testEnv().ecs.endpoint).start();
    const e = testEnv().ecs;
    const retrying = new ECSClient({ endpoint: proxy.url, region: e.region, credentials: e, maxAttempts: 3 });
    try {
      const launcher = new EcsLauncher(retrying, options);
      // The first RunTask is throttled; the lease is lost while the SDK backs off before its retry.
      proxy.faults.throttle = { RunTask: 1 };
      let fenced = 0;
      const uid = randomUUID();
      const fence = () => {
        fenced++;
        return fenced > 1 ? Promise.reject(new TransientError("not the leader any more: launch withheld")) : Promise.resolve();
      };
      await assert.rejects(launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: env(uid), fence }), /not the leader any more/);
      assert.equal(fenced, 2, "once per RunTask the SDK sent");
      assert.equal(proxy.injected.get("throttle:RunTask"), 1);
      const listed = await ecs.send(new ListTasksCommand({ cluster: options.cluster, startedBy: startedByFor(uid, 1) }));
      assert.deepEqual(listed.taskArns, [], "no task for the attempt");
      // A fence that lets it through, ECS answering again: the task starts.
      proxy.faults.throttle = {};
      const ok = await launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: env(uid), fence: () => Promise.resolve() });
      assert.match(ok.id, /^arn:aws:ecs:/);
    } finally {
      retrying.destroy();
      await proxy.stop();
    }
  });

  it("an unreachable ECS endpoint is a TransientError (the job keeps its place)", async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer();
      srv.listen(0, "127.0.0.1", () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const down = ecsClient(`http://127.0.0.1:${port}`);
    const launcher = new EcsLauncher(down, options);
    const uid = randomUUID();
    await assert.rejects(launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: env(uid) }), TransientError);
    await assert.rejects(launcher.describe(["x"]), TransientError);
    down.destroy();
  });

  describe("the tasks' Redis credential (#19 item 4)", () => {
    it("never goes in the overrides: DescribeTasks shows no TJ_REDIS_URL and no password; the task definition carries the secret reference", async () => {
      const launcher = new EcsLauncher(ecs, options);
      const uid = randomUUID();
      const taskUrl = testEnv().redis.clients.task;
      // Even a request that carried it (the operator never builds one) would not put it in an override.
      const ref = await launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: { ...env(uid), TJ_REDIS_URL: taskUrl } });
      const [task] = (await ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [ref.id] }))).tasks ?? [];
      const names = task?.overrides?.containerOverrides?.[0]?.environment?.map((e) => e.name);
      assert.deepEqual(names, ["TJ_JOB_UID", "TJ_ATTEMPT", "AWS_REGION"]);
      assert.equal(JSON.stringify(task).includes(new URL(taskUrl).password), false);
      const def = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task!.taskDefinitionArn! }));
      const container = def.taskDefinition?.containerDefinitions?.find((c) => c.name === options.containerName);
      assert.deepEqual(container?.secrets, [{ name: "TJ_REDIS_URL", valueFrom: TASK_REDIS_SECRET_ARN }]);
      assert.equal(JSON.stringify(def).includes(new URL(taskUrl).password), false);
    });

    const register = async (family: string, container: Partial<ContainerDefinition>) => {
      await ecs.send(
        new RegisterTaskDefinitionCommand({
          family,
          requiresCompatibilities: ["FARGATE"],
          networkMode: "awsvpc",
          cpu: "256",
          memory: "512",
          containerDefinitions: [{ name: "transcoder", image: "example/transcoder:test", essential: true, ...container }],
        }),
      );
      return family;
    };
    const otherArn = TASK_REDIS_SECRET_ARN.replace("tj-redis-task", "tj-redis-operator");
    const wrong: [string, Partial<ContainerDefinition>, RegExp][] = [
      ["takes TJ_REDIS_URL from nowhere", {}, /TJ_REDIS_URL must come from arn:.*tj-redis-task-AbCdEf, not nowhere/],
      ["takes it from another secret (the operator's)", { secrets: [{ name: "TJ_REDIS_URL", valueFrom: otherArn }] }, /not arn:.*tj-redis-operator/],
      [
        "holds it in its plain environment as well",
        { secrets: [{ name: "TJ_REDIS_URL", valueFrom: TASK_REDIS_SECRET_ARN }], environment: [{ name: "TJ_REDIS_URL", value: "redis://task:pw@h:6379" }] },
        /TJ_REDIS_URL is in the plain environment/,
      ],
    ];
    for (const [what, container, message] of wrong) {
      it(`refuses to launch when the task definition ${what}: TerminalError, no task`, async () => {
        const family = await register(`${options.cluster}-${randomUUID().slice(0, 6)}`, container);
        const launcher = new EcsLauncher(ecs, { ...options, taskDefinition: family });
        const uid = randomUUID();
        await assert.rejects(launcher.launch({ uid, namespace: "ns", name: "j", attempt: 1, env: env(uid) }), (e: unknown) => e instanceof TerminalError && message.test(e.message));
        const list = await ecs.send(new ListTasksCommand({ cluster: options.cluster, startedBy: startedByFor(uid, 1) }));
        assert.deepEqual(list.taskArns, []);
      });
    }
  });
});

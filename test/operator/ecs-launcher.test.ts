import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { DescribeTasksCommand, ListTasksCommand, type ECSClient } from "@aws-sdk/client-ecs";
import { TransientError } from "../../lib/errors/index.js";
import { EcsLauncher, startedByFor, type EcsLauncherOptions } from "../../operator/launchers/ecs/index.js";
import { ecsClient, holdTasksRunning, restoreTaskTransitions, setupEcs } from "./helpers/ecs.js";

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
});

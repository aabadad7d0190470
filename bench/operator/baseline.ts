/**
 * The original Go service's admission, reimplemented small as the baseline: one worker loop that every two
 * seconds LPOPs "VideoJobs" from Redis while an in-memory counter is below five, calling ECS RunTask for each
 * job (against the same moto). The counter goes down when the loop sees, on a later tick, that a task stopped.
 * Latency is measured exactly as for ours, to RunTask called and to RunTask returned, from the client's clock just
 * before RPUSH.
 */
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import type { Redis } from "ioredis";
import type { BenchEcs } from "./ecs.js";
import { sleep, type LatencySamples } from "./stats.js";

export const BASELINE_LIST = "VideoJobs";

export class BaselineWorker {
  running = 0;
  /** The loop's failure, if any: the measurement stops on it instead of waiting out its timeout. */
  error: Error | undefined;
  readonly launched = new Map<string, { calledAt: number; at: number; arn: string }>();
  private readonly tasks = new Set<string>();
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly ecs: BenchEcs,
    private readonly intervalMs: number,
    private readonly cap = 5,
  ) {}

  start(): void {
    // A ticker, as a Go time.Ticker: ticks every intervalMs whatever each tick's work took (generous to the baseline).
    this.loop = (async () => {
      let next = Date.now();
      while (!this.stopped) {
        next += this.intervalMs;
        try {
          await this.tick();
        } catch (err) {
          this.error = err as Error;
          return;
        }
        await sleep(Math.max(0, next - Date.now()));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async tick(): Promise<void> {
    if (this.tasks.size) {
      const out = await this.ecs.ecs.send(new DescribeTasksCommand({ cluster: this.ecs.cluster, tasks: [...this.tasks] }));
      for (const t of out.tasks ?? []) {
        if (t.lastStatus === "STOPPED" && t.taskArn && this.tasks.delete(t.taskArn)) this.running--;
      }
    }
    while (this.running < this.cap) {
      const raw = await this.redis.lpop(BASELINE_LIST);
      if (raw === null) break;
      const job = JSON.parse(raw) as { id: string };
      const calledAt = Date.now();
      const out = await this.ecs.ecs.send(
        new RunTaskCommand({
          cluster: this.ecs.cluster,
          taskDefinition: this.ecs.taskDefinition,
          launchType: "FARGATE",
          count: 1,
          startedBy: job.id.slice(0, 36),
          networkConfiguration: { awsvpcConfiguration: { subnets: this.ecs.subnets, securityGroups: [], assignPublicIp: "DISABLED" } },
          overrides: { containerOverrides: [{ name: "transcoder", environment: [{ name: "JOB", value: raw }] }] },
        }),
      );
      const arn = out.tasks?.[0]?.taskArn;
      if (!arn) throw new Error(`baseline RunTask placed no task: ${out.failures?.[0]?.reason ?? "?"}`);
      this.running++;
      this.tasks.add(arn);
      this.launched.set(job.id, { calledAt, at: Date.now(), arn });
    }
  }
}

export async function measureBaseline(
  redis: Redis,
  ecs: BenchEcs,
  opts: { jobs: number; burst: number; jitterMs: number; intervalMs: number },
  progress: (done: number) => void,
): Promise<LatencySamples> {
  await redis.del(BASELINE_LIST);
  const worker = new BaselineWorker(redis, ecs, opts.intervalMs);
  worker.start();
  const latencies: LatencySamples = { called: [], returned: [] };
  try {
    for (let i = 0; i < opts.jobs; i += opts.burst) {
      await sleep(Math.random() * opts.jitterMs);
      const ids = Array.from({ length: Math.min(opts.burst, opts.jobs - i) }, (_, k) => `base-${String(i + k).padStart(5, "0")}`);
      const t0 = new Map<string, number>();
      for (const id of ids) {
        t0.set(id, Date.now());
        await redis.rpush(BASELINE_LIST, JSON.stringify({ id, source: { bucket: "uploads", key: `uploads/bench/${id}/in.mp4` } }));
      }
      const deadline = Date.now() + 60_000;
      while (!ids.every((id) => worker.launched.has(id))) {
        if (worker.error) throw new Error(`baseline loop failed: ${worker.error.message}`);
        if (Date.now() > deadline) throw new Error("baseline launched nothing for 60 s");
        await sleep(5);
      }
      for (const id of ids) {
        const l = worker.launched.get(id);
        latencies.called.push((l?.calledAt ?? Number.NaN) - (t0.get(id) ?? Number.NaN));
        latencies.returned.push((l?.at ?? Number.NaN) - (t0.get(id) ?? Number.NaN));
      }
      // The tasks end (as the container exiting would); the baseline's next ticks notice and free the counter.
      await Promise.all(ids.map((id) => ecs.ecs.send(new StopTaskCommand({ cluster: ecs.cluster, task: worker.launched.get(id)?.arn, reason: "exited" }))));
      while (worker.running > 0) {
        if (worker.error) throw new Error(`baseline loop failed: ${worker.error.message}`);
        if (Date.now() > deadline + 60_000) throw new Error("baseline never saw its tasks stop");
        await sleep(5);
      }
      progress(i + ids.length);
    }
  } finally {
    await worker.stop();
  }
  return latencies;
}

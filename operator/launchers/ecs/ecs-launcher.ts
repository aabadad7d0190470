import { createHash } from "node:crypto";
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type DesiredStatus,
  type ECSClient,
  type Task,
} from "@aws-sdk/client-ecs";
import { TerminalError, TransientError } from "../../../lib/errors/index.js";
import type { LaunchRequest, TaskLauncher, TaskRef, TaskState } from "../../ports/index.js";
import { DescribeBatcher } from "./describe-batcher.js";
import { isCapacityFailure, mapEcsError } from "./errors.js";
import { FencedError } from "../../../lib/store/index.js";

export interface EcsLauncherOptions {
  cluster: string;
  /** family, family:revision or ARN */
  taskDefinition: string;
  /** The transcoder container in the task definition; its env is overridden with the task contract. */
  containerName: string;
  subnets: string[];
  securityGroups: string[];
  assignPublicIp?: boolean;
  /** Value of the "managed-by" tag on launched tasks. */
  managedBy?: string;
  /**
   * Contract variables the container takes from its task definition's `secrets` (name -> the Secrets Manager secret
   * or SSM parameter ARN; the operator's TASK_REDIS_SECRET_ARN for TJ_REDIS_URL). They are never sent as overrides,
   * which DescribeTasks shows and CloudTrail records; before the first RunTask the task definition is checked to
   * take each from exactly that ARN and to hold none of them in its plain environment.
   */
  secrets?: Record<string, string>;
}

/** ECS `startedBy` (max 36 chars): the same for every launch of one (uid, attempt), so a restart finds the task. */
export function startedByFor(uid: string, attempt: number): string {
  return `tj-${createHash("sha256").update(`${uid}:${attempt}`).digest("hex").slice(0, 32)}`;
}
/** RunTask clientToken (max 64 chars): real ECS deduplicates a retried RunTask with the same token. */
export function clientTokenFor(uid: string, attempt: number): string {
  return createHash("sha256").update(`transcodejob:${uid}:${attempt}`).digest("hex");
}

const PENDING_STATES = new Set(["PROVISIONING", "PENDING", "ACTIVATING"]);
const STOPPED_STATES = new Set(["STOPPED", "DELETED"]);
const STOPPING_STATES = new Set(["DEACTIVATING", "STOPPING", "DEPROVISIONING"]);

function toState(id: string, t: Task | undefined, containerName: string): TaskState {
  if (!t) return { id, state: "Missing" };
  const last = t.lastStatus ?? "PENDING";
  if (STOPPED_STATES.has(last)) {
    const c = t.containers?.find((x) => x.name === containerName) ?? t.containers?.[0];
    return {
      id,
      state: "Stopped",
      ...(c?.exitCode !== undefined ? { exitCode: c.exitCode } : {}),
      ...(t.stoppedReason ? { stopReason: t.stoppedReason } : {}),
    };
  }
  // DEACTIVATING/STOPPING/DEPROVISIONING still hold resources: the slot stays taken until STOPPED.
  const state: TaskState = { id, state: PENDING_STATES.has(last) ? "Pending" : "Running" };
  if (t.desiredStatus === "STOPPED" || STOPPING_STATES.has(last)) state.stopping = true;
  return state;
}

/**
 * Fargate tasks on ECS. Idempotent per (uid, attempt): before RunTask it looks the attempt up by `startedBy`
 * (the ECS emulator ignores clientToken, and a restarted operator must re-adopt its tasks anyway).
 */
export class EcsLauncher implements TaskLauncher {
  readonly kind = "ecs" as const;
  private readonly batcher: DescribeBatcher<Task>;
  private secretsChecked: Promise<void> | undefined;

  constructor(
    private readonly ecs: ECSClient,
    private readonly opts: EcsLauncherOptions,
  ) {
    this.batcher = new DescribeBatcher((ids) => this.describeBatch(ids), 100);
  }

  async find(uid: string, attempt: number): Promise<TaskRef | undefined> {
    const arn = await this.findArn(startedByFor(uid, attempt));
    return arn ? { launcher: "ecs", id: arn, attempt } : undefined;
  }

  /** Both desired statuses at once: this lookup sits on the admission path, before RunTask. */
  private async findArn(startedBy: string): Promise<string | undefined> {
    const list = async (desiredStatus: DesiredStatus): Promise<string | undefined> => {
      try {
        const out = await this.ecs.send(new ListTasksCommand({ cluster: this.opts.cluster, startedBy, desiredStatus, maxResults: 10 }));
        return out.taskArns?.[0];
      } catch (err) {
        throw mapEcsError(err, "ListTasks");
      }
    };
    const [running, stopped] = await Promise.all([list("RUNNING"), list("STOPPED")]);
    return running ?? stopped;
  }

  /**
   * The task definition takes every `secrets` variable from its ARN. Checked once per launcher (a retry after a
   * failure checks again); a mismatch is a TerminalError: the launch is refused and the job fails LaunchFailed.
   */
  private checkSecrets(): Promise<void> {
    const wanted = Object.entries(this.opts.secrets ?? {});
    if (wanted.length === 0) return Promise.resolve();
    this.secretsChecked ??= (async () => {
      let out;
      try {
        out = await this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: this.opts.taskDefinition }));
      } catch (err) {
        throw mapEcsError(err, "DescribeTaskDefinition");
      }
      const container = out.taskDefinition?.containerDefinitions?.find((c) => c.name === this.opts.containerName);
      const where = `task definition ${this.opts.taskDefinition}, container ${this.opts.containerName}`;
      if (!container) throw new TerminalError(`${where}: no such container`, "TaskDefinitionMismatch");
      for (const [name, arn] of wanted) {
        const from = container.secrets?.find((x) => x.name === name)?.valueFrom;
        if (container.environment?.some((e) => e.name === name))
          throw new TerminalError(`${where}: ${name} is in the plain environment; it must come from secrets (${arn})`, "TaskDefinitionMismatch");
        if (from !== arn) throw new TerminalError(`${where}: ${name} must come from ${arn}, not ${from ?? "nowhere"}`, "TaskDefinitionMismatch");
      }
    })().catch((err: unknown) => {
      this.secretsChecked = undefined;
      throw err;
    });
    return this.secretsChecked;
  }

  async launch(req: LaunchRequest): Promise<TaskRef> {
    const existing = await this.find(req.uid, req.attempt);
    if (existing) return existing;
    await this.checkSecrets();
    const bySecret = this.opts.secrets ?? {};
    const environment = Object.entries(req.env)
      .filter(([name]) => !(name in bySecret))
      .map(([name, value]) => ({ name, value }));
    const startedBy = startedByFor(req.uid, req.attempt);
    const command = new RunTaskCommand({
      cluster: this.opts.cluster,
      taskDefinition: this.opts.taskDefinition,
      launchType: "FARGATE",
      count: 1,
      startedBy,
      clientToken: clientTokenFor(req.uid, req.attempt),
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: this.opts.subnets,
          securityGroups: this.opts.securityGroups,
          assignPublicIp: this.opts.assignPublicIp ? "ENABLED" : "DISABLED",
        },
      },
      overrides: {
        containerOverrides: [
          { name: this.opts.containerName, environment },
        ],
      },
      tags: [
        { key: "media.transcoder.dev/job-uid", value: req.uid },
        { key: "media.transcoder.dev/job", value: `${req.namespace}/${req.name}` },
        { key: "media.transcoder.dev/attempt", value: String(req.attempt) },
        { key: "managed-by", value: this.opts.managedBy ?? "transcode-operator" },
      ],
    });
    const fence = req.fence;
    // Inside the SDK's retry loop: the fence runs before every RunTask actually sent, the retries included.
    if (fence) {
      const fenced = <A, R>(next: (args: A) => Promise<R>) => async (args: A): Promise<R> => {
        await fence();
        return next(args);
      };
      command.middlewareStack.addRelativeTo(fenced, {
        name: "leaderFence",
        relation: "after",
        toMiddleware: "retryMiddleware",
      });
    }
    let out;
    try {
      out = await this.ecs.send(command);
    } catch (err) {
      if (err instanceof FencedError) throw err; // the fence's own refusal, as it is (a TransientError passes too)
      throw mapEcsError(err, "RunTask");
    }
    const arn = out.tasks?.[0]?.taskArn;
    if (arn) return { launcher: "ecs", id: arn, attempt: req.attempt };
    const failure = out.failures?.[0];
    const reason = failure?.reason ?? "no task and no failure reported";
    if (isCapacityFailure(failure?.reason)) throw new TransientError(`RunTask placed no task: ${reason}`);
    throw mapEcsError({ name: "RunTaskFailure", message: reason, $metadata: { httpStatusCode: 400 } }, "RunTask");
  }

  private async describeBatch(ids: string[]): Promise<Map<string, Task>> {
    try {
      const out = await this.ecs.send(new DescribeTasksCommand({ cluster: this.opts.cluster, tasks: ids }));
      const found = new Map<string, Task>();
      for (const t of out.tasks ?? []) {
        if (!t.taskArn) continue;
        // Callers may hold the ARN or the bare id; answer both.
        const match = ids.find((id) => id === t.taskArn || t.taskArn?.endsWith(`/${id}`));
        if (match) found.set(match, t);
      }
      return found;
    } catch (err) {
      throw mapEcsError(err, "DescribeTasks");
    }
  }

  async describe(ids: string[]): Promise<TaskState[]> {
    if (ids.length === 0) return [];
    const tasks = await this.batcher.get(ids);
    return ids.map((id, i) => toState(id, tasks[i], this.opts.containerName));
  }

  async stop(id: string, reason: string): Promise<void> {
    try {
      await this.ecs.send(new StopTaskCommand({ cluster: this.opts.cluster, task: id, reason: reason.slice(0, 255) }));
    } catch (err) {
      const mapped = mapEcsError(err, "StopTask");
      // A task ECS no longer knows is as stopped as it gets.
      if (/not found|could not find|InvalidParameter/i.test(mapped.message)) return;
      throw mapped;
    }
  }
}

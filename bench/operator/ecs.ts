/** The ECS side of the bench in moto: a cluster, a Fargate task definition, a subnet, and playing a task's exit. */
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import type { Redis } from "ioredis";
import { writeResult, type TaskResult } from "../../lib/task-contract/index.js";
import type { EcsEndpoint } from "../../stack/index.js";

export interface BenchEcs {
  ecs: ECSClient;
  cluster: string;
  taskDefinition: string;
  subnets: string[];
}

export function ecsClient(e: EcsEndpoint): ECSClient {
  return new ECSClient({ endpoint: e.endpoint, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 2 });
}

/** The tasks' Redis URL secret the bench's task definitions reference (the operator's TASK_REDIS_SECRET_ARN). */
export const TASK_REDIS_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-redis-task-AbCdEf";

/** One ECS cluster named `name` with a task definition of the same family and one subnet. */
export async function setupEcs(e: EcsEndpoint, name: string, cidr: string): Promise<BenchEcs> {
  const ec2 = new EC2Client({ endpoint: e.endpoint, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } });
  try {
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `${cidr}.0.0/16` }));
    // moto's RunTask names the task's ENI after the VPC's DNS hostname: without it RunTask answers a 500 page.
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc?.VpcId, EnableDnsHostnames: { Value: true } }));
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc?.VpcId, CidrBlock: `${cidr}.1.0/24` }));
    const ecs = ecsClient(e);
    await ecs.send(new CreateClusterCommand({ clusterName: name }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "1024",
        memory: "2048",
        containerDefinitions: [
          { name: "transcoder", image: "example/transcoder:bench", essential: true, cpu: 1024, memory: 2048, secrets: [{ name: "TJ_REDIS_URL", valueFrom: TASK_REDIS_SECRET_ARN }] },
        ],
      }),
    );
    const subnetId = subnet.Subnet?.SubnetId;
    if (!subnetId) throw new Error("moto created no subnet");
    return { ecs, cluster: name, taskDefinition: name, subnets: [subnetId] };
  } finally {
    ec2.destroy();
  }
}

/**
 * moto advances a task one state per DescribeTasks by default, so the operator's own polling would stop every
 * task after a few polls. The bench plays the container instead: tasks stay RUNNING until the bench stops them.
 */
export async function holdTasksRunning(e: EcsEndpoint): Promise<void> {
  const res = await fetch(`${e.endpoint}/moto-api/state-manager/set-transition`, {
    method: "POST",
    body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000_000 } }),
  });
  if (!res.ok) throw new Error(`moto state manager answered ${res.status}`);
}

/** No output keys: the operator fails a result naming outputs outside the job's prefix (InvalidResult). */
export const OK_RESULT: TaskResult = { ok: true, exitCode: 0, outputs: { renditions: [] } };

/** A task's exit as the transcoder makes it: its result in Redis (the task contract, lib/task-contract), then the task stops. */
export async function playTaskExit(b: BenchEcs, redis: Redis, task: { uid: string; attempt: number; arn: string }): Promise<void> {
  await writeResult(redis, task.uid, task.attempt, OK_RESULT);
  await b.ecs.send(new StopTaskCommand({ cluster: b.cluster, task: task.arn, reason: "Essential container in task exited" }));
}

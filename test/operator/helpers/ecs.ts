import { randomUUID } from "node:crypto";
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import type { EcsLauncherOptions } from "../../../operator/launchers/ecs/index.js";
import { testEnv } from "../../env/index.js";

export function ecsClient(endpoint = testEnv().ecs.endpoint): ECSClient {
  const e = testEnv().ecs;
  return new ECSClient({ endpoint, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey }, maxAttempts: 1 });
}

/** The tasks' Redis URL secret the suites' task definitions reference (ECS resolves it at start; moto runs no container). */
export const TASK_REDIS_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tj-redis-task-AbCdEf";

/**
 * A fresh ECS cluster + Fargate task definition + subnet in moto, named for this suite. The container takes
 * TJ_REDIS_URL from a secret, as infra/components/task-definition.ts defines it, so launches carry no Redis URL.
 */
export async function setupEcs(prefix: string): Promise<{ ecs: ECSClient; options: EcsLauncherOptions }> {
  const e = testEnv().ecs;
  const config = { endpoint: e.endpoint, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } };
  const ec2 = new EC2Client(config);
  const ecs = ecsClient();
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.2.0.0/16" }));
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc!.VpcId!, EnableDnsHostnames: { Value: true } }));
  const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: "10.2.1.0/24" }));
  ec2.destroy();
  const cluster = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ecs.send(new CreateClusterCommand({ clusterName: cluster }));
  await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: cluster,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "1024",
      memory: "2048",
      executionRoleArn: "arn:aws:iam::123456789012:role/transcoder-execution",
      containerDefinitions: [
        { name: "transcoder", image: "example/transcoder:test", essential: true, cpu: 1024, memory: 2048, secrets: [{ name: "TJ_REDIS_URL", valueFrom: TASK_REDIS_SECRET_ARN }] },
      ],
    }),
  );
  const secrets = { TJ_REDIS_URL: TASK_REDIS_SECRET_ARN };
  return { ecs, options: { cluster, taskDefinition: cluster, containerName: "transcoder", subnets: [subnet.Subnet!.SubnetId!], securityGroups: [], secrets } };
}

/**
 * moto advances a task one state per DescribeTasks by default, which would stop every task after a few polls.
 * Tests play the container instead (result to Redis, then StopTask), so tasks stay RUNNING until stopped.
 */
export async function holdTasksRunning(): Promise<void> {
  const res = await fetch(`${testEnv().ecs.endpoint}/moto-api/state-manager/set-transition`, {
    method: "POST",
    body: JSON.stringify({ model_name: "ecs::task", transition: { progression: "manual", times: 1_000_000_000 } }),
  });
  if (!res.ok) throw new Error(`moto state manager answered ${res.status}`);
}

export async function restoreTaskTransitions(): Promise<void> {
  await fetch(`${testEnv().ecs.endpoint}/moto-api/state-manager/unset-transition`, {
    method: "POST",
    body: JSON.stringify({ model_name: "ecs::task" }),
  });
}

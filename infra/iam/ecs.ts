import type { AwsScope, Statement } from "./document.js";

export interface EcsScope extends AwsScope {
  clusterArn: string;
  clusterName: string;
  taskDefinitionFamily: string;
  taskRoleArn: string;
  executionRoleArn: string;
}

/**
 * The operator's ECS launcher (operator/launchers/ecs/ecs-launcher.ts): RunTask of the one task definition family
 * in the one cluster, ListTasks/DescribeTasks/StopTask of that cluster's tasks, the tags RunTask sets, PassRole of
 * exactly the task's two roles to ECS, and DescribeTaskDefinition (it checks that TJ_REDIS_URL comes from the
 * tasks' secret before the first RunTask).
 */
export function operatorEcsStatements(s: EcsScope): Statement[] {
  const inCluster = { ArnEquals: { "ecs:cluster": s.clusterArn } };
  const ecs = `arn:${s.partition}:ecs:${s.region}:${s.accountId}`;
  const tasks = `${ecs}:task/${s.clusterName}/*`;
  return [
    {
      Sid: "RunTranscodeTasks",
      Effect: "Allow",
      Action: ["ecs:RunTask"],
      Resource: [`${ecs}:task-definition/${s.taskDefinitionFamily}:*`],
      Condition: inCluster,
    },
    {
      Sid: "WatchAndStopTranscodeTasks",
      Effect: "Allow",
      Action: ["ecs:DescribeTasks", "ecs:StopTask"],
      Resource: [tasks],
      Condition: inCluster,
    },
    // ListTasks is authorised on container instances (the Service Authorization Reference), scoped by cluster.
    {
      Sid: "FindTasksByStartedBy",
      Effect: "Allow",
      Action: ["ecs:ListTasks"],
      Resource: [`${ecs}:container-instance/${s.clusterName}/*`],
      Condition: inCluster,
    },
    // RunTask with tags needs ecs:TagResource, allowed only as part of that RunTask.
    {
      Sid: "TagTasksAtLaunch",
      Effect: "Allow",
      Action: ["ecs:TagResource"],
      Resource: [tasks],
      Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
    },
    // ECS authorises DescribeTaskDefinition on no resource (Resource "*"); it reads definitions, never secret values.
    {
      Sid: "CheckTaskDefinitionSecrets",
      Effect: "Allow",
      Action: ["ecs:DescribeTaskDefinition"],
      Resource: ["*"],
    },
    {
      Sid: "PassTaskRoles",
      Effect: "Allow",
      Action: ["iam:PassRole"],
      Resource: [s.taskRoleArn, s.executionRoleArn],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    },
  ];
}

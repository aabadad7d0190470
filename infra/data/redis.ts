import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { REDIS_CLIENTS, type RedisClient } from "../types.js";
import { REDIS_ACCESS } from "./redis-acl.js";
import { storedSecret } from "./secret.js";

export interface CreatedRedisArgs {
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  nodeType: pulumi.Input<string>;
  /** 1 = a single node; 2 or more = a primary with replicas and automatic failover. */
  nodes: number;
  engineVersion: pulumi.Input<string>;
  kmsKeyArn?: pulumi.Input<string> | undefined;
  tags?: pulumi.Input<Record<string, string>> | undefined;
}

export interface RedisEndpoints {
  securityGroupId: pulumi.Output<string>;
  port: pulumi.Output<number>;
  urlSecretArns: Record<RedisClient, pulumi.Output<string>>;
}

export const REDIS_PORT = 6379;

/**
 * ElastiCache (Redis OSS) with TLS required, encryption at rest and RBAC: one user per process (REDIS_ACCESS),
 * the mandatory "default" user switched off. Each process's `rediss://user:password@host:port` URL is stored in
 * its own Secrets Manager secret; the passwords live in Pulumi state only as secrets.
 */
export function createRedis(name: string, args: CreatedRedisArgs, parent: pulumi.Resource): RedisEndpoints {
  const opts = { parent };
  const password = (who: string) =>
    new random.RandomPassword(`${name}-redis-${who}`, { length: 40, special: false }, { parent, additionalSecretOutputs: ["result"] }).result;
  // ElastiCache requires a user named "default" in every user group; this one can do nothing.
  const defaultUser = new aws.elasticache.User(
    `${name}-redis-default`,
    { engine: "redis", userId: `${name}-default`, userName: "default", accessString: "off -@all", passwords: [password("default")], tags: args.tags },
    opts,
  );
  const users = REDIS_CLIENTS.map((client) => {
    const secret = password(client);
    const user = new aws.elasticache.User(
      `${name}-redis-${client}`,
      { engine: "redis", userId: `${name}-${client}`, userName: client, accessString: REDIS_ACCESS[client], passwords: [secret], tags: args.tags },
      opts,
    );
    return { client, user, secret };
  });
  const group = new aws.elasticache.UserGroup(
    `${name}-redis`,
    { engine: "redis", userGroupId: `${name}-redis`, userIds: [defaultUser.userId, ...users.map((u) => u.user.userId)], tags: args.tags },
    opts,
  );
  const subnets = new aws.elasticache.SubnetGroup(`${name}-redis`, { subnetIds: args.subnetIds, tags: args.tags }, opts);
  const sg = new aws.ec2.SecurityGroup(`${name}-redis`, { vpcId: args.vpcId, description: "Redis: ingress from its clients only", tags: args.tags }, opts);
  const redis = new aws.elasticache.ReplicationGroup(
    `${name}-redis`,
    {
      description: "transcode control plane: upload stream, progress, results, sessions",
      engine: "redis",
      engineVersion: args.engineVersion,
      nodeType: args.nodeType,
      numCacheClusters: args.nodes,
      automaticFailoverEnabled: args.nodes > 1,
      multiAzEnabled: args.nodes > 1,
      port: REDIS_PORT,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      atRestEncryptionEnabled: true,
      kmsKeyId: args.kmsKeyArn,
      userGroupIds: [group.userGroupId],
      subnetGroupName: subnets.name,
      securityGroupIds: [sg.id],
      // The upload stream is the one record of an upload not yet turned into a job: keep a daily snapshot.
      snapshotRetentionLimit: 1,
      tags: args.tags,
    },
    opts,
  );
  const urlSecretArns = Object.fromEntries(
    users.map(({ client, secret }) => [
      client,
      storedSecret(
        `${name}-redis-${client}`,
        {
          description: `Redis URL of the ${client} (its own ACL user)`,
          value: pulumi.secret(pulumi.interpolate`rediss://${client}:${secret}@${redis.primaryEndpointAddress}:${REDIS_PORT}`),
          kmsKeyArn: args.kmsKeyArn,
          tags: args.tags,
        },
        parent,
      ),
    ]),
  ) as Record<RedisClient, pulumi.Output<string>>;
  return { securityGroupId: sg.id, port: pulumi.output(REDIS_PORT), urlSecretArns };
}

import * as pulumi from "@pulumi/pulumi";
import { createDocumentDb, type MongoEndpoints } from "../data/documentdb.js";
import { createRedis, type RedisEndpoints } from "../data/redis.js";
import { REDIS_CLIENTS, type RedisClient, type SecretRef } from "../types.js";

export interface DataArgs {
  /** Create ElastiCache, or use an existing Redis given by the existingRedis* fields. */
  redisMode: "create" | "existing";
  /** Create DocumentDB, or use an existing MongoDB-wire server given by the existingMongo* fields. */
  mongoMode: "create" | "existing";
  /** VPC and private subnets of what is created. */
  vpcId?: pulumi.Input<string>;
  subnetIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Default "cache.t4g.micro"; 1 node (2+ for a replica and failover); engine "7.1". */
  redisNodeType?: pulumi.Input<string>;
  redisNodes?: number;
  redisEngineVersion?: pulumi.Input<string>;
  /** Default "db.t4g.medium", 1 instance. */
  mongoInstanceClass?: pulumi.Input<string>;
  mongoInstances?: number;
  /** MONGODB_DATABASE. Default "transcoder". */
  mongoDatabase?: string;
  /** Deletion protection and a final snapshot for DocumentDB. Default true. */
  deletionProtection?: boolean;
  kmsKeyArn?: pulumi.Input<string>;
  /** Existing Redis: one URL secret per process (each with its own user), its security group and port. */
  existingRedisUrlSecrets?: Record<RedisClient, SecretRef>;
  existingRedisSecurityGroupId?: pulumi.Input<string>;
  existingRedisPort?: pulumi.Input<number>;
  /** Existing MongoDB: the MONGODB_URL secret and the server's security group and port. */
  existingMongoUrlSecret?: SecretRef;
  existingMongoSecurityGroupId?: pulumi.Input<string>;
  existingMongoPort?: pulumi.Input<number>;
  tags?: pulumi.Input<Record<string, string>>;
}

/**
 * Redis (stream, progress, results, sessions) and MongoDB-compatible storage (users, job records, slots), either
 * created (ElastiCache with a user per process, DocumentDB) or taken as they are. Either way the consumers get the
 * same outputs: secret references, never the URLs, and the security groups to allow their clients in.
 */
export class Data extends pulumi.ComponentResource {
  readonly redisUrlSecretArns: Record<RedisClient, pulumi.Output<string>>;
  readonly redisSecurityGroupId: pulumi.Output<string>;
  readonly redisPort: pulumi.Output<number>;
  readonly mongoUrlSecretArn: pulumi.Output<string>;
  readonly mongoSecurityGroupId: pulumi.Output<string>;
  readonly mongoPort: pulumi.Output<number>;
  readonly mongoDatabase: string;

  constructor(name: string, args: DataArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:Data", name, {}, opts);
    const network = () => {
      if (args.vpcId === undefined || args.subnetIds === undefined) throw new Error("Data: creating Redis or DocumentDB needs vpcId and subnetIds");
      return { vpcId: args.vpcId, subnetIds: args.subnetIds, kmsKeyArn: args.kmsKeyArn, tags: args.tags };
    };
    const redis: RedisEndpoints =
      args.redisMode === "create"
        ? createRedis(name, { ...network(), nodeType: args.redisNodeType ?? "cache.t4g.micro", nodes: args.redisNodes ?? 1, engineVersion: args.redisEngineVersion ?? "7.1" }, this)
        : existingRedis(args);
    const mongo: MongoEndpoints =
      args.mongoMode === "create"
        ? createDocumentDb(name, { ...network(), instanceClass: args.mongoInstanceClass ?? "db.t4g.medium", instances: args.mongoInstances ?? 1, deletionProtection: args.deletionProtection ?? true }, this)
        : existingMongo(args);
    this.redisUrlSecretArns = redis.urlSecretArns;
    this.redisSecurityGroupId = redis.securityGroupId;
    this.redisPort = redis.port;
    this.mongoUrlSecretArn = mongo.urlSecretArn;
    this.mongoSecurityGroupId = mongo.securityGroupId;
    this.mongoPort = mongo.port;
    this.mongoDatabase = args.mongoDatabase ?? "transcoder";
    this.registerOutputs({
      redisUrlSecretArns: this.redisUrlSecretArns,
      redisSecurityGroupId: this.redisSecurityGroupId,
      redisPort: this.redisPort,
      mongoUrlSecretArn: this.mongoUrlSecretArn,
      mongoSecurityGroupId: this.mongoSecurityGroupId,
      mongoPort: this.mongoPort,
    });
  }

  /** The secret reference of one process's Redis URL. */
  redisUrlSecret(client: RedisClient): SecretRef {
    return { arn: this.redisUrlSecretArns[client] };
  }

  get mongoUrlSecret(): SecretRef {
    return { arn: this.mongoUrlSecretArn };
  }
}

function existingRedis(args: DataArgs): RedisEndpoints {
  const secrets = args.existingRedisUrlSecrets;
  if (secrets === undefined || args.existingRedisSecurityGroupId === undefined)
    throw new Error("Data: redisMode existing needs existingRedisUrlSecrets (one per process) and existingRedisSecurityGroupId");
  const missing = REDIS_CLIENTS.filter((c) => secrets[c] === undefined);
  if (missing.length) throw new Error(`Data: existingRedisUrlSecrets lacks ${missing.join(", ")}`);
  return {
    securityGroupId: pulumi.output(args.existingRedisSecurityGroupId),
    port: pulumi.output(args.existingRedisPort ?? 6379),
    urlSecretArns: Object.fromEntries(REDIS_CLIENTS.map((c) => [c, pulumi.output(secrets[c].arn)])) as Record<RedisClient, pulumi.Output<string>>,
  };
}

function existingMongo(args: DataArgs): MongoEndpoints {
  if (args.existingMongoUrlSecret === undefined || args.existingMongoSecurityGroupId === undefined)
    throw new Error("Data: mongoMode existing needs existingMongoUrlSecret and existingMongoSecurityGroupId");
  return {
    securityGroupId: pulumi.output(args.existingMongoSecurityGroupId),
    port: pulumi.output(args.existingMongoPort ?? 27017),
    urlSecretArn: pulumi.output(args.existingMongoUrlSecret.arn),
  };
}

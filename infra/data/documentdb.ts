import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { storedSecret } from "./secret.js";

export interface CreatedDocumentDbArgs {
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  instanceClass: pulumi.Input<string>;
  instances: number;
  deletionProtection: boolean;
  kmsKeyArn?: pulumi.Input<string> | undefined;
  tags?: pulumi.Input<Record<string, string>> | undefined;
}

export interface MongoEndpoints {
  securityGroupId: pulumi.Output<string>;
  port: pulumi.Output<number>;
  urlSecretArn: pulumi.Output<string>;
}

export const MONGO_PORT = 27017;

/**
 * DocumentDB 5.0 with TLS enforced (cluster parameter) and storage encryption. The MONGODB_URL secret uses the
 * driver options DocumentDB needs: TLS with Amazon's CA bundle (the images must ship `global-bundle.pem`),
 * replicaSet rs0, no retryable writes.
 */
export function createDocumentDb(name: string, args: CreatedDocumentDbArgs, parent: pulumi.Resource): MongoEndpoints {
  const opts = { parent };
  const password = new random.RandomPassword(`${name}-mongo`, { length: 40, special: false }, { parent, additionalSecretOutputs: ["result"] });
  const params = new aws.docdb.ClusterParameterGroup(
    `${name}-mongo`,
    { family: "docdb5.0", description: "TLS required", parameters: [{ name: "tls", value: "enabled" }], tags: args.tags },
    opts,
  );
  const subnets = new aws.docdb.SubnetGroup(`${name}-mongo`, { subnetIds: args.subnetIds, tags: args.tags }, opts);
  const sg = new aws.ec2.SecurityGroup(`${name}-mongo`, { vpcId: args.vpcId, description: "DocumentDB: ingress from its clients only", tags: args.tags }, opts);
  const cluster = new aws.docdb.Cluster(
    `${name}-mongo`,
    {
      engine: "docdb",
      engineVersion: "5.0.0",
      masterUsername: "transcoder",
      masterPassword: password.result,
      port: MONGO_PORT,
      dbClusterParameterGroupName: params.name,
      dbSubnetGroupName: subnets.name,
      vpcSecurityGroupIds: [sg.id],
      storageEncrypted: true,
      kmsKeyId: args.kmsKeyArn,
      backupRetentionPeriod: 7,
      deletionProtection: args.deletionProtection,
      skipFinalSnapshot: !args.deletionProtection,
      finalSnapshotIdentifier: args.deletionProtection ? `${name}-mongo-final` : undefined,
      tags: args.tags,
    },
    opts,
  );
  for (let i = 0; i < args.instances; i++)
    new aws.docdb.ClusterInstance(
      `${name}-mongo-${i}`,
      { clusterIdentifier: cluster.id, instanceClass: args.instanceClass, tags: args.tags },
      opts,
    );
  const url = pulumi.secret(
    pulumi.interpolate`mongodb://transcoder:${password.result}@${cluster.endpoint}:${MONGO_PORT}/?tls=true&tlsCAFile=global-bundle.pem&replicaSet=rs0&readPreference=secondaryPreferred&retryWrites=false`,
  );
  const urlSecretArn = storedSecret(`${name}-mongodb-url`, { description: "MONGODB_URL of the operator and the API", value: url, kmsKeyArn: args.kmsKeyArn, tags: args.tags }, parent);
  return { securityGroupId: sg.id, port: pulumi.output(MONGO_PORT), urlSecretArn };
}

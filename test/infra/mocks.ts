/**
 * The one Pulumi mocks module of the infra unit tests. Importing it sets the mocks (before any test imports the
 * program, which test files do with a dynamic import after this module). Every resource the program registers is
 * recorded with its resolved inputs; outputs are made up the way AWS would shape them (ARNs in one account).
 */
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export interface Registered {
  type: string;
  name: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  inputs: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  state: Record<string, any>;
}

export const registered: Registered[] = [];

/** What a getSecretVersion/getParameter of `arn` returns here: recognisable, so tests can look for leaks. */
export const mockSecretValue = (arn: string): string => `rediss://user:mock-secret-of-${arn.split(":").pop()}@example:6379`;

const arn = (service: string, resource: string): string => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function outputsOf(type: string, name: string, i: Record<string, any>): Record<string, unknown> {
  switch (type) {
    case "aws:s3/bucket:Bucket": {
      const bucket = (i.bucket as string | undefined) ?? `${name}-bucket`;
      return { id: bucket, bucket, arn: `arn:aws:s3:::${bucket}`, bucketRegionalDomainName: `${bucket}.s3.${REGION}.amazonaws.com` };
    }
    case "aws:iam/role:Role":
      return { name, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return { arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${String(i.url).replace("https://", "")}` };
    case "aws:ecs/cluster:Cluster":
      return { name, arn: arn("ecs", `cluster/${name}`) };
    case "aws:ecs/taskDefinition:TaskDefinition":
      return { arn: arn("ecs", `task-definition/${i.family}:1`), revision: 1 };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: `/mock/${name}`, arn: arn("logs", `log-group:/mock/${name}:*`) };
    case "aws:ecr/repository:Repository":
      return { name, arn: arn("ecr", `repository/${name}`), repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}` };
    case "aws:secretsmanager/secret:Secret":
      return { arn: arn("secretsmanager", `secret:${name}-AbCdEf`) };
    case "aws:sqs/queue:Queue":
      return { name, arn: arn("sqs", name), url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}` };
    case "aws:lambda/function:Function":
      return { name, arn: arn("lambda", `function:${name}`) };
    case "aws:lambda/layerVersion:LayerVersion":
      return { arn: arn("lambda", `layer:${name}:1`) };
    case "aws:ec2/securityGroup:SecurityGroup":
      return { id: `sg-${name}` };
    case "aws:ec2/vpcEndpoint:VpcEndpoint":
      return { prefixListId: "pl-63a5400a" };
    case "aws:elasticache/replicationGroup:ReplicationGroup":
      return { primaryEndpointAddress: `${name}.cache.amazonaws.com` };
    case "aws:elasticache/subnetGroup:SubnetGroup":
    case "aws:docdb/subnetGroup:SubnetGroup":
    case "aws:docdb/clusterParameterGroup:ClusterParameterGroup":
      return { name };
    case "aws:docdb/cluster:Cluster":
      return { id: name, endpoint: `${name}.docdb.amazonaws.com` };
    case "aws:eks/cluster:Cluster":
      return {
        name,
        arn: arn("eks", `cluster/${name}`),
        endpoint: `https://${name}.eks.amazonaws.com`,
        certificateAuthority: { data: "Q0EK" },
        vpcConfig: { ...i.vpcConfig, clusterSecurityGroupId: `sg-${name}-cluster` },
        identities: [{ oidcs: [{ issuer: `https://oidc.eks.${REGION}.amazonaws.com/id/MOCK` }] }],
      };
    case "aws:cloudfront/distribution:Distribution":
      return { arn: `arn:aws:cloudfront::${ACCOUNT}:distribution/E${name}`, domainName: `${name}.cloudfront.net` };
    case "aws:cloudfront/publicKey:PublicKey":
      return { id: `K-${name}` };
    case "random:index/randomPassword:RandomPassword":
      return { result: `random-password-${name}` };
    case "kubernetes:helm.sh/v3:Release":
      return { status: { status: "deployed" } };
    default:
      return {};
  }
}

await pulumi.runtime.setMocks(
  {
    newResource(args) {
      const inputs = args.inputs as Record<string, unknown>;
      const extra = outputsOf(args.type, args.name, inputs);
      const state: Record<string, unknown> = { ...inputs, ...extra };
      registered.push({ type: args.type, name: args.name, inputs, state });
      return { id: typeof extra.id === "string" ? extra.id : `${args.name}-id`, state };
    },
    call(args) {
      const inputs = args.inputs as Record<string, string>;
      switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "AIDAMOCK" };
        case "aws:index/getRegion:getRegion":
          return { region: REGION, name: REGION };
        case "aws:index/getPartition:getPartition":
          return { partition: "aws", dnsSuffix: "amazonaws.com" };
        case "aws:secretsmanager/getSecretVersion:getSecretVersion":
          return { secretString: mockSecretValue(inputs.secretId ?? "") };
        case "aws:ssm/getParameter:getParameter":
          return { value: mockSecretValue(inputs.name ?? "") };
        default:
          return {};
      }
    },
  },
  "transcode-control-plane",
  "unit",
  false,
);

/** Resolves an Output's value (mocks resolve everything, even in what would be a preview). */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply((v) => resolve(v)));
}

/** Waits until the program has registered every resource it will (registrations follow their inputs). */
export async function settled(): Promise<void> {
  let seen = -1;
  while (seen !== registered.length) {
    seen = registered.length;
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** The resources of one type whose logical name starts with `prefix`. */
export function ofType(type: string, prefix = ""): Registered[] {
  return registered.filter((r) => r.type === type && r.name.startsWith(prefix));
}

export function one(type: string, name: string): Registered {
  const found = registered.filter((r) => r.type === type && r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}: ${registered.filter((r) => r.type === type).map((r) => r.name).join(", ")}`);
  return found[0]!;
}

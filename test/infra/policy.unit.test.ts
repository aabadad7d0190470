import assert from "node:assert/strict";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  bucketsBlockedAndEncrypted,
  encryptionOn,
  noPlaintextSecretsInLambdaEnv,
  noPlaintextSecretsInTaskDefinitions,
  noPublicBuckets,
  noSecretsInHelmValues,
  noStaticCredentials,
  noWildcardActionsOnAnyResource,
  transcodePolicies,
} from "../../infra/policy/rules.js";
import { registered, settled, valueOf } from "./mocks.js";
import { platformConfig } from "./fixture.js";

/** What the policy engine would hand a rule: the resource's type, name and (unwrapped) inputs. */
function asPolicyResource(type: string, name: string, props: Record<string, unknown>): PolicyResource {
  return { type, name, props: unwrapSecrets(props) as Record<string, unknown>, urn: `urn:pulumi:unit::tcp::${type}::${name}`, opts: {} as PolicyResource["opts"], dependencies: [], propertyDependencies: {}, isType: () => false, asType: () => undefined };
}

/** The engine shows policies secret values unwrapped; the mocks keep Pulumi's secret wrapper. */
function unwrapSecrets(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v !== null && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("4dabf18193072939515e22adb298388d" in o) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

function violations(policy: ResourceValidationPolicy, r: PolicyResource): string[] {
  const found: string[] = [];
  const args = { ...r, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined as never } as unknown as ResourceValidationArgs;
  const validate = policy.validateResource;
  for (const fn of Array.isArray(validate) ? validate : validate ? [validate] : []) void fn(args, (m) => found.push(m));
  return found;
}

function stackViolations(policy: StackValidationPolicy, resources: PolicyResource[]): string[] {
  const found: string[] = [];
  void policy.validateStack({ resources, stackTags: new Map(), getConfig: () => ({}), notApplicable: () => undefined as never } as never, (m) => found.push(m));
  return found;
}

const bad = (type: string, props: Record<string, unknown>) => asPolicyResource(type, "bad", props);
const policyJson = (statement: object) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });

describe("infra policy pack", function () {
  this.timeout(60_000);
  /** Resource rules see a resource's inputs; stack rules see the stack after the update (outputs). */
  let program: PolicyResource[] = [];
  let programAfterUpdate: PolicyResource[] = [];

  before(async () => {
    const { transcodePlatform } = await import("../../infra/index.js");
    const p = transcodePlatform(platformConfig(), "pol");
    await valueOf(p.trigger.functionArn);
    await settled();
    const ours = registered.filter((r) => r.name.startsWith("pol"));
    program = ours.map((r) => asPolicyResource(r.type, r.name, r.inputs));
    programAfterUpdate = ours.map((r) => asPolicyResource(r.type, r.name, r.state));
    assert.ok(program.length > 100);
  });

  it("the program's own resources pass every rule", () => {
    for (const policy of transcodePolicies) {
      const found = "validateStack" in policy ? stackViolations(policy, programAfterUpdate) : program.flatMap((r) => violations(policy, r).map((m) => `${r.name}: ${m}`));
      assert.deepEqual(found, [], policy.name);
    }
  });

  it("no public buckets: a partial public-access block, a public ACL, a policy allowing everyone", () => {
    assert.deepEqual(violations(noPublicBuckets, bad("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: false, ignorePublicAcls: true, restrictPublicBuckets: true })), ["public access block leaves blockPublicPolicy off"]);
    assert.deepEqual(violations(noPublicBuckets, bad("aws:s3/bucketAcl:BucketAcl", { acl: "public-read" })), ["public ACL public-read"]);
    assert.deepEqual(violations(noPublicBuckets, bad("aws:s3/bucketPolicy:BucketPolicy", { policy: policyJson({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }) })), ["bucket policy allows Principal *"]);
    assert.deepEqual(violations(noPublicBuckets, bad("aws:s3/bucketPolicy:BucketPolicy", { policy: policyJson({ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*" }) })), []);
  });

  it("every bucket blocked and encrypted: a bare bucket fails twice, a bucket with both passes", () => {
    const bucket = asPolicyResource("aws:s3/bucket:Bucket", "b", { bucket: "b" });
    assert.equal(stackViolations(bucketsBlockedAndEncrypted, [bucket]).length, 2);
    const sse = asPolicyResource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "b", { bucket: "b" });
    const block = asPolicyResource("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "b", {});
    block.propertyDependencies = { bucket: [bucket] }; // during preview the name is unknown: matched by dependency
    assert.deepEqual(stackViolations(bucketsBlockedAndEncrypted, [bucket, sse, block]), []);
  });

  it("no wildcard actions on *: service:* or * on Resource *, NotAction; a scoped wildcard or an exact action on * is fine", () => {
    const rp = (statement: object) => bad("aws:iam/rolePolicy:RolePolicy", { policy: policyJson(statement) });
    assert.deepEqual(violations(noWildcardActionsOnAnyResource, rp({ Effect: "Allow", Action: "s3:*", Resource: "*" })), ["statement 0 allows s3:* on *"]);
    assert.deepEqual(violations(noWildcardActionsOnAnyResource, rp({ Effect: "Allow", Action: ["*"], Resource: ["*"] })), ["statement 0 allows * on *"]);
    assert.deepEqual(violations(noWildcardActionsOnAnyResource, rp({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })), ["statement 0 allows with NotAction/NotResource"]);
    assert.deepEqual(violations(noWildcardActionsOnAnyResource, rp({ Effect: "Allow", Action: "s3:Get*", Resource: "arn:aws:s3:::b/*" })), []);
    assert.deepEqual(violations(noWildcardActionsOnAnyResource, rp({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" })), []);
    const role = bad("aws:iam/role:Role", { inlinePolicies: [{ policy: policyJson({ Effect: "Allow", Action: "ec2:*", Resource: "*" }) }] });
    assert.deepEqual(violations(noWildcardActionsOnAnyResource, role), ["statement 0 allows ec2:* on *"]);
  });

  it("no static credentials: access keys, keyed providers, key IDs in any input", () => {
    assert.equal(violations(noStaticCredentials, bad("aws:iam/accessKey:AccessKey", { user: "ci" })).length, 1);
    assert.deepEqual(violations(noStaticCredentials, bad("pulumi:providers:aws", { region: "us-east-1", accessKey: "x", secretKey: "y" })), ["the AWS provider is configured with static keys"]);
    assert.deepEqual(violations(noStaticCredentials, bad("aws:ssm/parameter:Parameter", { value: "AKIAABCDEFGHIJKLMNOP" })), ["value holds an AWS access key ID"]);
  });

  it("no plaintext secrets in task definitions: a secret setting, a password-named variable, a URL with a password", () => {
    const td = (environment: { name: string; value: string }[]) =>
      bad("aws:ecs/taskDefinition:TaskDefinition", { containerDefinitions: JSON.stringify([{ name: "transcoder", environment }]) });
    assert.deepEqual(violations(noPlaintextSecretsInTaskDefinitions, td([{ name: "TJ_REDIS_URL", value: "rediss://redis:6379" }])), ["container transcoder: TJ_REDIS_URL is a secret setting: pass it by reference"]);
    assert.deepEqual(violations(noPlaintextSecretsInTaskDefinitions, td([{ name: "AWS_SECRET_ACCESS_KEY", value: "x" }])), ["container transcoder: AWS_SECRET_ACCESS_KEY is named like a secret"]);
    assert.deepEqual(violations(noPlaintextSecretsInTaskDefinitions, td([{ name: "UPSTREAM", value: "https://bob:hunter2@example.com" }])), ["container transcoder: UPSTREAM holds a URL with a password"]);
    assert.deepEqual(violations(noPlaintextSecretsInTaskDefinitions, td([{ name: "TJ_WORK_DIR", value: "/tmp" }])), []);
  });

  it("no plaintext secrets in the Lambda environment; a secret reference passes", () => {
    const fn = (variables: Record<string, string>) => bad("aws:lambda/function:Function", { environment: { variables } });
    assert.deepEqual(violations(noPlaintextSecretsInLambdaEnv, fn({ REDIS_URL: "rediss://:pw@redis:6379" })), ["REDIS_URL is a secret setting: pass it by reference"]);
    assert.deepEqual(violations(noPlaintextSecretsInLambdaEnv, fn({ TJ_REDIS_URL_SECRET_ID: "arn:aws:secretsmanager:us-east-1:1:secret:x" })), []);
  });

  it("no secrets in Helm values: a secret setting or a credential anywhere in the values", () => {
    const release = (values: object) => bad("kubernetes:helm.sh/v3:Release", { values });
    assert.deepEqual(violations(noSecretsInHelmValues, release({ api: { env: { API_SESSION_KEYS: "k1" } } })), ["values.api.env.API_SESSION_KEYS is a secret setting: pass it by reference"]);
    assert.deepEqual(violations(noSecretsInHelmValues, release({ operator: { extra: ["mongodb://u:p@db:27017"] } })), ["values.operator.extra[0] holds a URL with a password"]);
  });

  it("encryption on: Redis without TLS or at-rest encryption, unencrypted DocumentDB and SQS", () => {
    assert.deepEqual(violations(encryptionOn, bad("aws:elasticache/replicationGroup:ReplicationGroup", { atRestEncryptionEnabled: false, transitEncryptionEnabled: false })), ["Redis without encryption at rest", "Redis without TLS"]);
    assert.deepEqual(violations(encryptionOn, bad("aws:docdb/cluster:Cluster", {})), ["DocumentDB storage not encrypted"]);
    assert.deepEqual(violations(encryptionOn, bad("aws:sqs/queue:Queue", {})), ["SQS queue not encrypted"]);
  });
});

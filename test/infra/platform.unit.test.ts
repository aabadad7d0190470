/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-call --
   the resource inputs the mocks record are untyped provider data; the assertions are the type check. */
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { basename } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT, REGION, mockSecretValue, ofType, one, registered, settled, valueOf, type Registered } from "./mocks.js";
import { SESSION_KEYS_ARN, platformConfig } from "./fixture.js";
import { REDIS_COMPONENTS, redisAclRules } from "../../lib/redis-acl/index.js";
import { valuesSchema } from "../../scripts/chart/values.js";

const P = "tcp";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const role = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const secretArn = (name: string) => arn("secretsmanager", `secret:${name}-AbCdEf`);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed IAM/container document
const json = (r: Registered, key: string): any => JSON.parse(String(r.inputs[key]));
/** Every (action, resource) pair an inline policy allows, sorted. */
const grants = (policyName: string): string[] =>
  (json(one("aws:iam/rolePolicy:RolePolicy", policyName), "policy").Statement as { Effect: string; Action: string[]; Resource: string[] }[])
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => s.Action.flatMap((a) => s.Resource.map((r) => `${a} ${r}`)))
    .sort();

/** A value the program marked secret arrives in the mocks wrapped with Pulumi's secret signature. */
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
function secretValue<T = string>(v: unknown): T {
  const wrapped = v as Record<string, unknown>;
  assert.equal(wrapped["4dabf18193072939515e22adb298388d"], SECRET_SIG, "marked secret");
  return wrapped.value as T;
}

const UPLOADS = `${P}-uploads-bucket`;
const OUTPUTS = `${P}-outputs-bucket`;

describe("infra components (Pulumi mocks, whole platform)", function () {
  this.timeout(60_000);

  /** The type of each resource's parent (by `type::name`), seen through a stack transformation. */
  const parentTypes = new Map<string, string | undefined>();

  before(async () => {
    const { transcodePlatform } = await import("../../infra/index.js");
    // Inside a stack, so that a stack transformation can see every resource's parent.
    await pulumi.runtime.runInPulumiStack(async () => {
      pulumi.runtime.registerStackTransformation((args) => {
        parentTypes.set(`${args.type}::${args.name}`, (args.opts.parent as { __pulumiType?: string } | undefined)?.__pulumiType);
        return undefined;
      });
      const p = transcodePlatform(platformConfig(), P);
      await valueOf(p.trigger.functionArn); // the Lambda waits for its bundle
      return {};
    });
    await settled();
  });

  describe("Storage", () => {
    it("both buckets block every kind of public access, disable ACLs and are encrypted", () => {
      for (const b of ["uploads", "outputs"]) {
        const block = one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", `${P}-${b}`).inputs;
        assert.deepEqual(
          [block.blockPublicAcls, block.blockPublicPolicy, block.ignorePublicAcls, block.restrictPublicBuckets],
          [true, true, true, true],
        );
        assert.equal(one("aws:s3/bucketOwnershipControls:BucketOwnershipControls", `${P}-${b}`).inputs.rule.objectOwnership, "BucketOwnerEnforced");
        const sse = one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", `${P}-${b}`).inputs;
        assert.equal(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
        const policy = json(one("aws:s3/bucketPolicy:BucketPolicy", `${P}-${b}`), "policy");
        assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.equal(policy.Statement[0].Effect, "Deny");
      }
    });

    it("the outputs bucket lets only its CloudFront distribution read, under outputs/", () => {
      const policy = json(one("aws:s3/bucketPolicy:BucketPolicy", `${P}-outputs`), "policy");
      assert.deepEqual(policy.Statement[1], {
        Sid: "CloudFrontReadsOutputs",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: ["s3:GetObject"],
        Resource: [`arn:aws:s3:::${OUTPUTS}/outputs/*`],
        Condition: { StringEquals: { "AWS:SourceArn": `arn:aws:cloudfront::${ACCOUNT}:distribution/E${P}-outputs` } },
      });
      assert.equal(one("aws:s3/bucketPolicy:BucketPolicy", `${P}-uploads`).inputs.policy.includes("Allow"), false);
      const d = one("aws:cloudfront/distribution:Distribution", `${P}-outputs`).inputs;
      assert.equal(d.defaultCacheBehavior.viewerProtocolPolicy, "redirect-to-https");
      assert.deepEqual(d.defaultCacheBehavior.trustedKeyGroups, [`${P}-playback-id`]);
      assert.equal(one("aws:cloudfront/originAccessControl:OriginAccessControl", `${P}-outputs`).inputs.signingBehavior, "always");
    });

    it("uploads: CORS for the console only; old uploads expire; incomplete multipart uploads abort after a day", () => {
      const cors = one("aws:s3/bucketCorsConfiguration:BucketCorsConfiguration", `${P}-uploads`).inputs.corsRules;
      assert.deepEqual(cors[0].allowedOrigins, ["https://console.example.com"]);
      assert.deepEqual(cors[0].allowedMethods, ["POST", "PUT"]);
      const rules = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${P}-uploads`).inputs.rules;
      assert.deepEqual(rules.map((r: { id: string }) => r.id), ["expire-old-uploads", "abort-incomplete-multipart"]);
      assert.deepEqual(rules[0].filter, { prefix: "uploads/" });
      assert.equal(rules[0].expiration.days, 7);
      assert.equal(rules[1].abortIncompleteMultipartUpload.daysAfterInitiation, 1);
      const out = one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${P}-outputs`).inputs.rules;
      assert.equal(out[0].abortIncompleteMultipartUpload.daysAfterInitiation, 1);
    });
  });

  describe("TranscodeCluster", () => {
    it("the task role: get under uploads/, put under outputs/, delete sources (allowed in this stack)", () => {
      assert.deepEqual(grants(`${P}-task`), [
        `s3:AbortMultipartUpload arn:aws:s3:::${OUTPUTS}/outputs/*`,
        `s3:DeleteObject arn:aws:s3:::${OUTPUTS}/outputs/*`,
        `s3:DeleteObject arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:DeleteObjectVersion arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:GetObject arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:GetObjectVersion arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:ListBucket arn:aws:s3:::${UPLOADS}`,
        `s3:ListMultipartUploadParts arn:aws:s3:::${OUTPUTS}/outputs/*`,
        `s3:PutObject arn:aws:s3:::${OUTPUTS}/outputs/*`,
      ]);
    });

    it("the execution role: pull this image, write this log group, read the task's Redis secret", () => {
      assert.deepEqual(grants(`${P}-execution`), [
        `ecr:BatchCheckLayerAvailability ${arn("ecr", `repository/${P}-transcoder`)}`,
        `ecr:BatchGetImage ${arn("ecr", `repository/${P}-transcoder`)}`,
        "ecr:GetAuthorizationToken *",
        `ecr:GetDownloadUrlForLayer ${arn("ecr", `repository/${P}-transcoder`)}`,
        `logs:CreateLogStream ${arn("logs", `log-group:/mock/${P}-transcoder:log-stream:*`)}`,
        `logs:PutLogEvents ${arn("logs", `log-group:/mock/${P}-transcoder:log-stream:*`)}`,
        `secretsmanager:GetSecretValue ${secretArn(`${P}-redis-task`)}`,
      ]);
      for (const r of ["task", "execution"]) {
        const trust = json(one("aws:iam/role:Role", `${P}-${r}`), "assumeRolePolicy");
        assert.deepEqual(trust.Statement[0].Principal, { Service: "ecs-tasks.amazonaws.com" });
        assert.equal(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], ACCOUNT);
      }
    });

    it("the task definition: Fargate sizes, read-only root with a scratch volume, TJ_REDIS_URL by reference, no credentials", () => {
      const td = one("aws:ecs/taskDefinition:TaskDefinition", `${P}-transcoder`).inputs;
      assert.deepEqual([td.cpu, td.memory, td.ephemeralStorage.sizeInGib, td.networkMode], ["2048", "4096", 50, "awsvpc"]);
      assert.deepEqual(td.requiresCompatibilities, ["FARGATE"]);
      assert.equal(td.taskRoleArn, role(`${P}-task`));
      assert.equal(td.executionRoleArn, role(`${P}-execution`));
      assert.deepEqual(td.volumes, [{ name: "scratch" }]);
      const [c, ...more] = JSON.parse(td.containerDefinitions);
      assert.equal(more.length, 0);
      assert.equal(c.name, "transcoder");
      assert.equal(c.image, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${P}-transcoder:1.2.3`);
      assert.equal(c.readonlyRootFilesystem, true);
      assert.deepEqual(c.mountPoints, [{ sourceVolume: "scratch", containerPath: "/tmp", readOnly: false }]);
      assert.deepEqual(c.secrets, [{ name: "TJ_REDIS_URL", valueFrom: secretArn(`${P}-redis-task`) }]);
      assert.deepEqual(c.environment, [{ name: "TJ_WORK_DIR", value: "/tmp" }]);
      assert.equal(c.logConfiguration.options["awslogs-group"], `/mock/${P}-transcoder`);
      assert.equal(one("aws:cloudwatch/logGroup:LogGroup", `${P}-transcoder`).inputs.retentionInDays, 30);
    });

    it("the repository scans on push and has immutable tags", () => {
      const repo = one("aws:ecr/repository:Repository", `${P}-transcoder`).inputs;
      assert.equal(repo.imageTagMutability, "IMMUTABLE");
      assert.deepEqual(repo.imageScanningConfiguration, { scanOnPush: true });
    });

    it("the tasks' security group: egress only to Redis, the interface endpoints and the S3 prefix list", () => {
      const egress = ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${P}-tasks`).map((r) => r.inputs);
      assert.deepEqual(
        egress.map((e) => [e.fromPort, e.referencedSecurityGroupId ?? e.prefixListId ?? e.cidrIpv4]).sort(),
        [[443, "pl-63a5400a"], [443, `sg-${P}-endpoints`], [6379, `sg-${P}-redis`]],
      );
      const ingress = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", `${P}-tasks`).map((r) => [r.inputs.securityGroupId, r.inputs.fromPort]);
      assert.deepEqual(ingress.sort(), [[`sg-${P}-endpoints`, 443], [`sg-${P}-redis`, 6379]]);
    });
  });

  describe("UploadTrigger", () => {
    it("the project's bundle, invoked for ObjectCreated under uploads/ only", async () => {
      const fn = one("aws:lambda/function:Function", `${P}-upload-trigger`).inputs;
      assert.deepEqual([fn.runtime, fn.handler], ["nodejs22.x", "index.handler"]);
      const zip = String(await fn.code.path);
      assert.equal(basename(zip), "upload-lambda.zip", "the zip lambda/bundle.ts writes");
      assert.ok(statSync(zip).size > 50_000, "a real bundle (ioredis, zod, pino inside)");
      const n = one("aws:s3/bucketNotification:BucketNotification", `${P}-uploads`).inputs;
      assert.equal(n.bucket, UPLOADS);
      assert.deepEqual(n.lambdaFunctions, [{ lambdaFunctionArn: arn("lambda", `function:${P}-upload-trigger`), events: ["s3:ObjectCreated:*"], filterPrefix: "uploads/" }]);
      const perm = one("aws:lambda/permission:Permission", `${P}-upload-trigger`).inputs;
      assert.deepEqual([perm.principal, perm.sourceArn, perm.sourceAccount], ["s3.amazonaws.com", `arn:aws:s3:::${UPLOADS}`, ACCOUNT]);
    });

    it("its Redis URL is a secret reference read at cold start, not an environment value", () => {
      const fn = one("aws:lambda/function:Function", `${P}-upload-trigger`).inputs;
      assert.deepEqual(fn.environment.variables, {
        UPLOADS_PREFIX: "uploads/",
        UPLOADS_BUCKET: UPLOADS,
        LOG_LEVEL: "info",
        NODE_OPTIONS: "--import /opt/tj/redis-url.mjs",
        TJ_REDIS_URL_SECRET_ID: secretArn(`${P}-redis-lambda`),
      });
      assert.deepEqual(fn.layers, [
        "arn:aws:lambda:us-east-1:177933569100:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:12",
        arn("lambda", `layer:${P}-redis-url-preload:1`),
      ]);
      assert.deepEqual(fn.vpcConfig, { subnetIds: ["subnet-a", "subnet-b"], securityGroupIds: [`sg-${P}-upload-trigger`] });
    });

    it("its role: its log group, the VPC attachment, its one secret, its dead-letter queue; nothing else", () => {
      const logs = arn("logs", `log-group:/mock/${P}-upload-trigger:log-stream:*`);
      assert.deepEqual(grants(`${P}-upload-trigger`), [
        "ec2:AssignPrivateIpAddresses *",
        "ec2:CreateNetworkInterface *",
        "ec2:DeleteNetworkInterface *",
        "ec2:DescribeNetworkInterfaces *",
        "ec2:DescribeSubnets *",
        "ec2:UnassignPrivateIpAddresses *",
        `logs:CreateLogStream ${logs}`,
        `logs:PutLogEvents ${logs}`,
        `secretsmanager:GetSecretValue ${secretArn(`${P}-redis-lambda`)}`,
        `sqs:SendMessage ${arn("sqs", `${P}-upload-trigger-dlq`)}`,
      ]);
      const egress = ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", `${P}-upload-trigger`).map((r) => [r.inputs.fromPort, r.inputs.referencedSecurityGroupId]);
      assert.deepEqual(egress.sort(), [[443, `sg-${P}-endpoints`], [6379, `sg-${P}-redis`]]);
    });
  });

  describe("Data", () => {
    it("Redis: TLS required, encrypted at rest, one ACL user per process and the default user off", () => {
      const rg = one("aws:elasticache/replicationGroup:ReplicationGroup", `${P}-redis`).inputs;
      assert.deepEqual([rg.transitEncryptionEnabled, rg.transitEncryptionMode, rg.atRestEncryptionEnabled], [true, "required", true]);
      assert.deepEqual(rg.userGroupIds, [`${P}-redis`]);
      const users = ofType("aws:elasticache/user:User", `${P}-redis-`).map((u) => [u.inputs.userName, u.inputs.accessString.split(" ")[0]]);
      assert.deepEqual(users.sort(), [["api", "on"], ["bridge", "on"], ["default", "off"], ["lambda", "on"], ["operator", "on"], ["task", "on"]]);
      // The access strings are the code's own rules (lib/redis-acl), the ones the test stack's Redis enforces.
      const rules = redisAclRules();
      for (const c of REDIS_COMPONENTS) assert.equal(one("aws:elasticache/user:User", `${P}-redis-${c}`).inputs.accessString, `on ${rules[c].join(" ")}`, c);
      const task = one("aws:elasticache/user:User", `${P}-redis-task`).inputs.accessString;
      assert.match(task, /%W~tj:progress:\* %W~tj:result:\*/);
      assert.doesNotMatch(task, /(^| )~|allkeys|@connection|\+@all|\+get|subscribe/, "the task reads nothing and cannot subscribe");
    });

    it("each process's Redis URL and the MongoDB URL are stored as secrets, with TLS", () => {
      const versions = ofType("aws:secretsmanager/secretVersion:SecretVersion", P);
      assert.deepEqual(versions.map((v) => v.name).sort(), ["api", "bridge", "lambda", "operator", "task"].map((c) => `${P}-redis-${c}`).concat(`${P}-mongodb-url`).sort());
      const stored = (name: string) => secretValue(one("aws:secretsmanager/secretVersion:SecretVersion", name).inputs.secretString);
      assert.match(stored(`${P}-redis-task`), /^rediss:\/\/task:random-password-tcp-redis-task@tcp-redis\.cache\.amazonaws\.com:6379$/);
      assert.match(stored(`${P}-mongodb-url`), /^mongodb:\/\/transcoder:.*[?&]tls=true/);
      const docdb = one("aws:docdb/cluster:Cluster", `${P}-mongo`).inputs;
      assert.deepEqual([docdb.storageEncrypted, docdb.deletionProtection], [true, true]);
      assert.deepEqual(one("aws:docdb/clusterParameterGroup:ClusterParameterGroup", `${P}-mongo`).inputs.parameters, [{ name: "tls", value: "enabled" }]);
    });
  });

  describe("ControlPlaneCluster", () => {
    it("the operator's role: RunTask of one family in one cluster, PassRole of the two task roles", () => {
      assert.deepEqual(grants(`${P}-operator`), [
        "ecs:DescribeTaskDefinition *",
        `ecs:DescribeTasks ${arn("ecs", `task/${P}/*`)}`,
        `ecs:ListTasks ${arn("ecs", `container-instance/${P}/*`)}`,
        `ecs:RunTask ${arn("ecs", `task-definition/${P}-transcoder:*`)}`,
        `ecs:StopTask ${arn("ecs", `task/${P}/*`)}`,
        `ecs:TagResource ${arn("ecs", `task/${P}/*`)}`,
        `iam:PassRole ${role(`${P}-execution`)}`,
        `iam:PassRole ${role(`${P}-task`)}`,
      ]);
    });

    it("the API's role: presign scope only; the bridge has no AWS role at all", () => {
      assert.deepEqual(grants(`${P}-api`), [
        `s3:AbortMultipartUpload arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:DeleteObject arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:GetObject arn:aws:s3:::${OUTPUTS}/outputs/*`,
        `s3:GetObject arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:ListBucket arn:aws:s3:::${UPLOADS}`,
        `s3:ListBucketMultipartUploads arn:aws:s3:::${UPLOADS}`,
        `s3:ListMultipartUploadParts arn:aws:s3:::${UPLOADS}/uploads/*`,
        `s3:PutObject arn:aws:s3:::${UPLOADS}/uploads/*`,
      ]);
      assert.equal(ofType("aws:iam/role:Role").filter((r) => r.name.includes("bridge")).length, 0);
    });

    it("Pod Identity binds each role to its service account in the release namespace", () => {
      const a = ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation", P).map((x) => [x.inputs.namespace, x.inputs.serviceAccount, x.inputs.roleArn]);
      assert.deepEqual(a.sort(), [
        ["transcode-system", "transcode-api", role(`${P}-api`)],
        ["transcode-system", "transcode-operator", role(`${P}-operator`)],
      ]);
      assert.deepEqual(json(one("aws:iam/role:Role", `${P}-operator`), "assumeRolePolicy").Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
      assert.equal(one("aws:eks/addon:Addon", `${P}-pod-identity`).inputs.addonName, "eks-pod-identity-agent");
      const ng = one("aws:eks/nodeGroup:NodeGroup", `${P}-nodes`).inputs;
      assert.deepEqual(ng.instanceTypes, ["t3.medium"]);
    });
  });

  describe("ControlPlaneRelease", () => {
    it("Secrets hold the referenced values under the configured names; the Helm values only name the Secrets", () => {
      const secret = (proc: string) => secretValue<Record<string, string>>(one("kubernetes:core/v1:Secret", `${P}-${proc}`).inputs.stringData);
      assert.deepEqual(secret("operator"), { MONGODB_URL: mockSecretValue(secretArn(`${P}-mongodb-url`)), REDIS_URL: mockSecretValue(secretArn(`${P}-redis-operator`)) });
      assert.deepEqual(secret("bridge"), { REDIS_URL: mockSecretValue(secretArn(`${P}-redis-bridge`)) });
      assert.deepEqual(Object.keys(secret("api")).sort(), ["API_SESSION_KEYS", "MONGODB_URL", "REDIS_URL"]);
      assert.equal(secret("api").API_SESSION_KEYS, mockSecretValue(SESSION_KEYS_ARN));

      const release = one("kubernetes:helm.sh/v3:Release", P).inputs;
      assert.equal(release.chart, "../charts/transcode-control-plane");
      assert.equal(release.namespace, "transcode-system");
      const values = release.values;
      assert.deepEqual([values.operator.existingSecret, values.bridge.existingSecret, values.api.existingSecret], [`${P}-operator`, `${P}-bridge`, `${P}-api`]);
      const text = JSON.stringify(values);
      assert.equal(text.includes("mock-secret-of"), false, "no secret value in the Helm values");
      assert.equal(/MONGODB_URL|REDIS_URL|API_SESSION_KEYS/.test(text), false, "no secret setting in the Helm values");
    });

    it("the settings are wired from the other components: shared ones once, each process's own under it", () => {
      const values = one("kubernetes:helm.sh/v3:Release", P).inputs.values;
      assert.equal(values.jobsNamespace, "media");
      assert.deepEqual(values.env, {
        AWS_REGION: REGION,
        UPLOADS_BUCKET: UPLOADS,
        UPLOADS_PREFIX: "uploads/",
        OUTPUTS_BUCKET: OUTPUTS,
        MONGODB_DATABASE: "transcoder",
        LOG_LEVEL: "info",
      });
      assert.deepEqual(values.operator.env, {
        MAX_CONCURRENT_TASKS: "5",
        ECS_CLUSTER: P,
        ECS_TASK_DEFINITION: arn("ecs", `task-definition/${P}-transcoder:1`),
        // The secret the task definition takes TJ_REDIS_URL from: a reference, checked by the operator.
        TASK_REDIS_SECRET_ARN: secretArn(`${P}-redis-task`),
        ECS_CONTAINER_NAME: "transcoder",
        ECS_SUBNETS: "subnet-a,subnet-b",
        ECS_SECURITY_GROUPS: `sg-${P}-tasks`,
      });
      assert.deepEqual(values.api.serviceAccount, { name: "transcode-api", annotations: {} });
    });

    it("the Helm values pass the chart's own values schema (values.schema.json is generated from it)", () => {
      const values = one("kubernetes:helm.sh/v3:Release", P).inputs.values;
      assert.deepEqual(valuesSchema.safeParse(values).error?.issues, undefined);
    });
  });

  it("every resource is a child of its component (parent: this), except the two program-level ingress rules", () => {
    const orphans = registered
      .filter((r) => r.name.startsWith(P) && !r.type.startsWith("transcode:infra:"))
      .filter((r) => !parentTypes.get(`${r.type}::${r.name}`)?.startsWith("transcode:infra:"))
      .map((r) => r.name);
    assert.deepEqual(orphans.sort(), [`${P}-pods-mongo`, `${P}-pods-redis`]);
  });

  describe("no static credentials anywhere", () => {
    it("no IAM users or access keys, and no key-shaped value or credential setting in any input", () => {
      const ours = registered.filter((r) => r.name.startsWith(P));
      assert.deepEqual(ours.filter((r) => /aws:iam\/(user|accessKey|userLoginProfile)/.test(r.type)), []);
      const text = JSON.stringify(ours.map((r) => r.inputs));
      assert.equal(/\b(AKIA|ASIA)[A-Z0-9]{16}\b/.test(text), false);
      assert.equal(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws_secret_access_key/.test(text), false);
      const kubeconfig = JSON.parse(secretValue(one("pulumi:providers:kubernetes", `${P}-k8s`).inputs.kubeconfig));
      assert.deepEqual(kubeconfig.users[0].user.exec.args.slice(0, 2), ["eks", "get-token"]);
    });
  });
});

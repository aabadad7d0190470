import assert from "node:assert/strict";
import {
  apiS3Statements,
  bucketKeyStatement,
  ecsTasksTrust,
  irsaTrust,
  objectsUnder,
  operatorEcsStatements,
  readSecretStatements,
  transcoderTaskS3Statements,
} from "../../infra/iam/index.js";

const uploads = { bucketArn: "arn:aws:s3:::up", prefix: "uploads/" };
const outputs = { bucketArn: "arn:aws:s3:::out", prefix: "outputs/" };
const actionsOn = (statements: { Action: string[]; Resource?: string[] }[]) =>
  statements.flatMap((s) => s.Action.flatMap((a) => (s.Resource ?? []).map((r) => `${a} ${r}`))).sort();

describe("infra IAM documents (pure)", () => {
  it("scopes objects to a non-empty prefix", () => {
    assert.equal(objectsUnder("arn:aws:s3:::b", "uploads/"), "arn:aws:s3:::b/uploads/*");
    assert.throws(() => objectsUnder("arn:aws:s3:::b", ""), /non-empty/);
    assert.throws(() => objectsUnder("arn:aws:s3:::b", "uploads"), /end in/);
  });

  it("the task reads under uploads/, writes under outputs/, and deletes sources only when allowed", () => {
    const without = transcoderTaskS3Statements({ uploads, outputs, allowDeleteSource: false });
    assert.deepEqual(actionsOn(without), [
      "s3:AbortMultipartUpload arn:aws:s3:::out/outputs/*",
      "s3:DeleteObject arn:aws:s3:::out/outputs/*",
      "s3:GetObject arn:aws:s3:::up/uploads/*",
      "s3:GetObjectVersion arn:aws:s3:::up/uploads/*",
      "s3:ListBucket arn:aws:s3:::up",
      "s3:ListMultipartUploadParts arn:aws:s3:::out/outputs/*",
      "s3:PutObject arn:aws:s3:::out/outputs/*",
    ]);
    assert.deepEqual(without.find((s) => s.Action.includes("s3:ListBucket"))?.Condition, { StringLike: { "s3:prefix": ["uploads/*"] } });
    const withDelete = transcoderTaskS3Statements({ uploads, outputs, allowDeleteSource: true });
    assert.deepEqual(
      actionsOn(withDelete).filter((a) => !actionsOn(without).includes(a)),
      ["s3:DeleteObject arn:aws:s3:::up/uploads/*", "s3:DeleteObjectVersion arn:aws:s3:::up/uploads/*"],
    );
  });

  it("the API may presign uploads under uploads/ and downloads under outputs/ only", () => {
    assert.deepEqual(actionsOn(apiS3Statements({ uploads, outputs })), [
      "s3:AbortMultipartUpload arn:aws:s3:::up/uploads/*",
      "s3:DeleteObject arn:aws:s3:::up/uploads/*",
      "s3:GetObject arn:aws:s3:::out/outputs/*",
      "s3:GetObject arn:aws:s3:::up/uploads/*",
      "s3:ListBucket arn:aws:s3:::up",
      "s3:ListBucketMultipartUploads arn:aws:s3:::up",
      "s3:ListMultipartUploadParts arn:aws:s3:::up/uploads/*",
      "s3:PutObject arn:aws:s3:::up/uploads/*",
    ]);
  });

  it("the operator runs one family in one cluster and passes exactly the two task roles to ECS", () => {
    const s = operatorEcsStatements({
      partition: "aws",
      region: "eu-west-1",
      accountId: "111122223333",
      clusterArn: "arn:aws:ecs:eu-west-1:111122223333:cluster/tc",
      clusterName: "tc",
      taskDefinitionFamily: "tc-transcoder",
      taskRoleArn: "arn:aws:iam::111122223333:role/task",
      executionRoleArn: "arn:aws:iam::111122223333:role/exec",
    });
    assert.deepEqual(actionsOn(s), [
      // Before the first RunTask: is TJ_REDIS_URL taken from the tasks' secret? (no resource-level scope in ECS)
      "ecs:DescribeTaskDefinition *",
      "ecs:DescribeTasks arn:aws:ecs:eu-west-1:111122223333:task/tc/*",
      "ecs:ListTasks arn:aws:ecs:eu-west-1:111122223333:container-instance/tc/*",
      "ecs:RunTask arn:aws:ecs:eu-west-1:111122223333:task-definition/tc-transcoder:*",
      "ecs:StopTask arn:aws:ecs:eu-west-1:111122223333:task/tc/*",
      "ecs:TagResource arn:aws:ecs:eu-west-1:111122223333:task/tc/*",
      "iam:PassRole arn:aws:iam::111122223333:role/exec",
      "iam:PassRole arn:aws:iam::111122223333:role/task",
    ]);
    for (const st of s.filter((x) => x.Action[0]!.startsWith("ecs:") && !["ecs:TagResource", "ecs:DescribeTaskDefinition"].includes(x.Action[0]!)))
      assert.deepEqual(st.Condition, { ArnEquals: { "ecs:cluster": "arn:aws:ecs:eu-west-1:111122223333:cluster/tc" } }, st.Sid);
    assert.deepEqual(s.find((x) => x.Sid === "TagTasksAtLaunch")?.Condition, { StringEquals: { "ecs:CreateAction": "RunTask" } });
    assert.deepEqual(s.find((x) => x.Sid === "PassTaskRoles")?.Condition, { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } });
  });

  it("with SSE-KMS buckets, the bucket key for decrypt and data keys only", () => {
    assert.deepEqual(bucketKeyStatement("arn:aws:kms:us-east-1:1:key/k"), {
      Sid: "UseBucketKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: ["arn:aws:kms:us-east-1:1:key/k"],
    });
  });

  it("reads exactly the referenced secrets, by service", () => {
    const sm = "arn:aws:secretsmanager:us-east-1:1:secret:a-AbCdEf";
    const ssm = "arn:aws:ssm:us-east-1:1:parameter/b";
    assert.deepEqual(readSecretStatements([sm, ssm], "arn:aws:kms:us-east-1:1:key/k"), [
      { Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: [sm] },
      { Sid: "ReadParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: [ssm] },
      { Sid: "DecryptSecrets", Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn:aws:kms:us-east-1:1:key/k"] },
    ]);
    assert.throws(() => readSecretStatements(["arn:aws:s3:::bucket"]), /not a Secrets Manager or SSM/);
  });

  it("trust: ECS tasks of this account only; IRSA only for one service account's STS token", () => {
    const ecs = ecsTasksTrust({ partition: "aws", region: "us-east-1", accountId: "1" });
    assert.deepEqual(ecs.Statement[0]?.Condition, { ArnLike: { "aws:SourceArn": "arn:aws:ecs:us-east-1:1:*" }, StringEquals: { "aws:SourceAccount": "1" } });
    const irsa = irsaTrust({ oidcProviderArn: "arn:aws:iam::1:oidc-provider/oidc.example/id/X", issuerUrl: "https://oidc.example/id/X", namespace: "ns", serviceAccount: "sa" });
    assert.deepEqual(irsa.Statement[0]?.Condition, {
      StringEquals: { "oidc.example/id/X:sub": "system:serviceaccount:ns:sa", "oidc.example/id/X:aud": "sts.amazonaws.com" },
    });
  });
});

import type { Statement } from "./document.js";

/** Secrets Manager secrets and SSM parameters are the two kinds of reference ECS `valueFrom` accepts. */
export function secretKind(arn: string): "secretsmanager" | "ssm" {
  const service = arn.split(":")[2];
  if (service === "secretsmanager" || service === "ssm") return service;
  throw new Error(`not a Secrets Manager or SSM parameter ARN: ${arn}`);
}

/** Read exactly these secrets (and decrypt with their customer-managed KMS key, when there is one). */
export function readSecretStatements(arns: readonly string[], kmsKeyArn?: string): Statement[] {
  const sm = arns.filter((a) => secretKind(a) === "secretsmanager");
  const ssm = arns.filter((a) => secretKind(a) === "ssm");
  const statements: Statement[] = [];
  if (sm.length) statements.push({ Sid: "ReadSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: sm });
  if (ssm.length) statements.push({ Sid: "ReadParameters", Effect: "Allow", Action: ["ssm:GetParameters"], Resource: ssm });
  if (kmsKeyArn) statements.push({ Sid: "DecryptSecrets", Effect: "Allow", Action: ["kms:Decrypt"], Resource: [kmsKeyArn] });
  return statements;
}

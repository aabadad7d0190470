/**
 * IAM policy documents as plain data. Every document in this program is built by a pure function in this folder
 * from already-resolved ARNs, so the unit tests can compare whole statements (exact actions, exact resources)
 * and the components only serialise them.
 */
export type Condition = Record<string, Record<string, string | string[]>>;

export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PrincipalStatement extends Omit<Statement, "Resource"> {
  Principal: { Service: string } | { Federated: string } | { AWS: string } | "*";
  Resource?: string[];
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: (Statement | PrincipalStatement)[];
}

export function policyDocument(statements: (Statement | PrincipalStatement)[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

/** The resolved account facts every ARN is built from. */
export interface AwsScope {
  partition: string;
  region: string;
  accountId: string;
}

/** A key prefix IAM can scope to: non-empty (that would mean the whole bucket) and ending in "/". */
export function assertPrefix(prefix: string): string {
  if (prefix === "" || !prefix.endsWith("/")) throw new Error(`an object prefix must be non-empty and end in "/": "${prefix}"`);
  return prefix;
}

/** `bucketArn/prefix*`: objects under one key prefix only. */
export function objectsUnder(bucketArn: string, prefix: string): string {
  return `${bucketArn}/${assertPrefix(prefix)}*`;
}

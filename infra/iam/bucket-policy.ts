import type { PrincipalStatement } from "./document.js";

/** Refuse every request that does not arrive over TLS. */
export function denyInsecureTransport(bucketArn: string): PrincipalStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: ["s3:*"],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/** CloudFront (origin access control) may read the outputs, and only for this one distribution. */
export function cloudFrontReadStatement(objectsArn: string, distributionArn: string): PrincipalStatement {
  return {
    Sid: "CloudFrontReadsOutputs",
    Effect: "Allow",
    Principal: { Service: "cloudfront.amazonaws.com" },
    Action: ["s3:GetObject"],
    Resource: [objectsArn],
    Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
  };
}

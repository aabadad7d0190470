export { policyDocument, objectsUnder, assertPrefix, type AwsScope, type PolicyDocument, type Statement, type PrincipalStatement, type Condition } from "./document.js";
export { transcoderTaskS3Statements, apiS3Statements, bucketKeyStatement, type BucketPrefix } from "./s3.js";
export { operatorEcsStatements, type EcsScope } from "./ecs.js";
export { readSecretStatements, secretKind } from "./secrets.js";
export { writeLogsStatement } from "./logs.js";
export { ecsTasksTrust, serviceTrust, podIdentityTrust, irsaTrust } from "./trust.js";
export { pullImageStatements } from "./ecr.js";
export { lambdaVpcStatement, deadLetterStatement } from "./lambda.js";
export { denyInsecureTransport, cloudFrontReadStatement } from "./bucket-policy.js";

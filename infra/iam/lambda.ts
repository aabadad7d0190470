import type { Statement } from "./document.js";

/**
 * What Lambda itself needs to attach a function to a VPC (the actions of AWSLambdaVPCAccessExecutionRole, without
 * its account-wide logs:*); EC2's network-interface actions take no resource scope.
 */
export function lambdaVpcStatement(): Statement {
  return {
    Sid: "AttachToVpc",
    Effect: "Allow",
    Action: [
      "ec2:CreateNetworkInterface",
      "ec2:DescribeNetworkInterfaces",
      "ec2:DescribeSubnets",
      "ec2:DeleteNetworkInterface",
      "ec2:AssignPrivateIpAddresses",
      "ec2:UnassignPrivateIpAddresses",
    ],
    Resource: ["*"],
  };
}

/** The error path: an event that still fails after Lambda's retries goes to this queue. */
export function deadLetterStatement(queueArn: string): Statement {
  return { Sid: "DeadLetter", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [queueArn] };
}

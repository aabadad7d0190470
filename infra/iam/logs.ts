import type { Statement } from "./document.js";

/** Write to one log group's streams; the group itself is created (with its retention) by this program. */
export function writeLogsStatement(logGroupArn: string): Statement {
  // A log group's ARN may end in ":*"; the stream ARN is built from the bare one.
  const group = logGroupArn.replace(/:\*$/, "");
  return {
    Sid: "WriteLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: [`${group}:log-stream:*`],
  };
}

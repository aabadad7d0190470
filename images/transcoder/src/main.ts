/**
 * The transcoder task's entrypoint (ECS container command, or the local launcher's child process).
 * Env in (lib/task-contract), exit code + Redis progress/result out. The only place that calls process.exit.
 */
import { createLogger } from "../../../lib/log.js";
import { TerminalError } from "../../../lib/errors/index.js";
import { decodeTaskEnv, EXIT_BAD_INPUT, EXIT_RETRYABLE, type TaskInput } from "../../../lib/task-contract/index.js";
import { RedisReporter } from "./report/index.js";
import { createS3Client } from "./storage/index.js";
import { runTask } from "./task/index.js";

async function main(): Promise<number> {
  let input: TaskInput;
  try {
    input = decodeTaskEnv(process.env);
  } catch (err) {
    const log = createLogger("transcoder");
    log.error({ reason: err instanceof TerminalError ? err.reason : "InvalidTaskEnv" }, (err as Error).message);
    return await reportEnvFailure(err as Error);
  }
  const log = createLogger("transcoder", { level: input.logLevel ?? "info" });
  const abort = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    log.warn({ signal: sig }, "stopping: signal received");
    abort.abort();
  };
  process.once("SIGTERM", onSignal);
  process.once("SIGINT", onSignal);
  const reporter = new RedisReporter({ url: input.redisUrl, uid: input.job.uid, attempt: input.attempt, log });
  const s3 = createS3Client({ region: input.region, endpoint: input.s3?.endpoint, forcePathStyle: input.s3?.forcePathStyle });
  try {
    const result = await runTask(input, { s3, reporter, log, signal: abort.signal });
    await reporter.result(result);
    log.info({ ok: result.ok, exitCode: result.exitCode, reason: result.reason }, "attempt finished");
    return result.exitCode;
  } finally {
    await reporter.close();
    s3.destroy();
  }
}

/** With an unreadable env there may still be enough to tell the operator why (uid, attempt, Redis URL). */
async function reportEnvFailure(err: Error): Promise<number> {
  const { TJ_JOB_UID: uid, TJ_ATTEMPT: attempt, TJ_REDIS_URL: url } = process.env;
  if (uid && url && /^[1-9][0-9]*$/.test(attempt ?? "")) {
    const reporter = new RedisReporter({ url, uid, attempt: Number(attempt), log: createLogger("transcoder") });
    await reporter.result({ ok: false, exitCode: EXIT_BAD_INPUT, reason: "InvalidTaskEnv", message: err.message });
    await reporter.close();
  }
  return EXIT_BAD_INPUT;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(JSON.stringify({ level: 50, msg: "transcoder crashed", err: String(err) }));
    process.exit(EXIT_RETRYABLE);
  },
);

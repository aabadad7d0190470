/**
 * Mocha global fixture: starts the real services once for the whole run, publishes their endpoints through
 * testEnv(), and stops everything at the end, also on failure, Ctrl-C (SIGINT) or SIGTERM. A SIGKILLed run
 * leaves processes behind that the next run reaps (see reapStaleRuns).
 */
import { setTestEnv, setTestStack, startStack, type Stack } from "./index.js";
import { installExitHandlers } from "../../stack/index.js";

let stack: Stack | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  const t0 = Date.now();
  const ready: string[] = [];
  installExitHandlers();
  stack = await startStack({ onReady: (service, ms) => ready.push(`${service} ${ms} ms`) });
  setTestEnv(stack.env);
  setTestStack(stack);
  console.log(`  test environment ready in ${Date.now() - t0} ms (${ready.join(", ")}); logs: ${stack.logDir}`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  setTestEnv(undefined);
  setTestStack(undefined);
  await stack?.stop();
}

/**
 * Test helper process: starts the whole stack, prints one JSON line with the service pids and the run dir,
 * then waits to be interrupted. Used by test/testenv/lifecycle.test.ts to prove Ctrl-C leaves nothing behind.
 */
import { startStack } from "./index.js";
import { installExitHandlers } from "../../stack/index.js";

installExitHandlers();
const stack = await startStack();
console.log(JSON.stringify({ pids: stack.pids(), runDir: stack.runDir }));
setInterval(() => undefined, 60_000);

/**
 * `npm start`: the embedded local stack. Installs (cached) and starts the real services the tests use and keeps
 * them running until Ctrl-C. The control-plane processes (operator, bridge, API) are wired in by the end-to-end
 * work (issue #9); until then this prints where each service listens.
 */
import { execFileSync } from "node:child_process";
import { startStack, type Stack } from "../test/env/index.js";
import { runExitCleanups } from "../test/env/process.js";

const running: { stack?: Stack } = {};
let stopping = false;
process.once("exit", runExitCleanups);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log("\nstopping...");
    const { stack } = running;
    if (!stack) {
      // Interrupted during start-up: kill whatever has started.
      runExitCleanups();
      process.exit(130);
    }
    stack.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  });
}

execFileSync("bash", ["scripts/testenv/install.sh"], { stdio: "inherit" });
const stack = (running.stack = await startStack({ onReady: (s, ms) => console.log(`  ${s} ready in ${ms} ms`) }));
const { env } = stack;
console.log(`
Local stack is up (logs: ${stack.logDir}).
  kube-apiserver  ${env.kube.server}   KUBECONFIG=${env.kube.kubeconfigPath}
  MongoDB (wire)  ${env.mongo.url}
  Redis           ${env.redis.url}
  S3 (MinIO)      ${env.s3.endpoint}
  ECS (moto)      ${env.ecs.endpoint}

The operator, bridge and API are not started yet: the end-to-end main job is not available in this version.
Press Ctrl-C to stop.`);

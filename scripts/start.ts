/**
 * `npm start`: the main job on the embedded local stack. Installs (cached) and starts the real services, then
 * the control plane (operator with the local launcher, bridge, upload webhook in place of the Lambda, REST API),
 * runs the demo (sample uploads -> jobs -> Succeeded, with progress bars), and keeps everything running until
 * Ctrl-C.
 *
 *   npm start                   stack + control plane + demo, then stay up
 *   npm start -- --no-demo      stack + control plane only
 *   npm start -- --exit         run the demo and stop (exit code 0 only if every demo job Succeeded)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startStack, type Stack } from "../stack/index.js";
import { freePort, runExitCleanups } from "../stack/index.js";
import { startControlPlane, type ControlPlane } from "../stack/index.js";
import { makeSamples, runDemo } from "./local/demo.js";
import { redactUrlCredentials } from "../lib/log.js";

const { values: flags } = parseArgs({ options: { "no-demo": { type: "boolean" }, exit: { type: "boolean" } } });

const running: { stack?: Stack; plane?: ControlPlane } = {};
let stopping = false;
async function stopAll(code: number): Promise<never> {
  stopping = true;
  await running.plane?.stop().catch((err: unknown) => console.error(`control plane: ${String(err)}`));
  await running.stack?.stop().catch((err: unknown) => console.error(`services: ${String(err)}`));
  process.exit(code);
}
process.once("exit", runExitCleanups);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    console.log("\nstopping...");
    if (!running.stack) {
      // Interrupted during start-up: kill whatever has started.
      runExitCleanups();
      process.exit(130);
    }
    void stopAll(0);
  });
}

try {
  execFileSync("bash", ["scripts/testenv/install.sh"], { stdio: "inherit" });
  const receiverPort = await freePort();
  console.log("Starting the local services...");
  const stack = (running.stack = await startStack({
    minio: { notifyWebhook: `http://127.0.0.1:${receiverPort}/` },
    onReady: (s, ms) => console.log(`  ${s} ready in ${ms} ms`),
  }));
  const { env } = stack;
  console.log("Starting the control plane (operator, bridge, upload webhook, API)...");
  const planeDir = join(stack.runDir, "control-plane");
  mkdirSync(planeDir, { recursive: true });
  const plane = (running.plane = await startControlPlane({ env, runDir: planeDir, logDir: stack.logDir, receiverPort }));
  console.log(`
The local control plane is up (logs: ${stack.logDir}).
  REST API        ${plane.apiUrl}          (OpenAPI: ${plane.apiUrl}/openapi.json)
  metrics         API ${plane.apiInternalUrl}/metrics   operator ${plane.operatorUrl}/metrics   bridge ${plane.bridgeUrl}/metrics
  kube-apiserver  ${env.kube.server}
  KUBECONFIG      ${env.kube.kubeconfigPath}
  S3 (MinIO)      ${env.s3.endpoint}  buckets: ${plane.uploadsBucket}, ${plane.outputsBucket}
  MongoDB (wire)  ${env.mongo.url}   Redis ${redactUrlCredentials(env.redis.url)} (a user per process)   ECS emulator ${env.ecs.endpoint}`);

  if (!flags["no-demo"]) {
    const files = await makeSamples(stack.env.tmpDir);
    const { jobs, client } = await runDemo(plane.apiUrl, files);
    console.log("\nPlayback links: any HLS player plays them, no cookie needed (segments come straight from S3):");
    for (const job of jobs) {
      const links = job.phase === "Succeeded" ? await client.outputs(job.id) : undefined;
      const play = links?.masterPlaylist ? `\n    master playlist (until ${links.playbackExpiresAt ?? "?"}): ${links.masterPlaylist}` : "";
      console.log(`  ${job.id}  ${job.phase}${play}`);
    }
    console.log(`  play one: ffplay '<master playlist>'   or decode it: ffmpeg -i '<master playlist>' -f null -`);
    console.log(`
Inspect the jobs with kubectl:
  export KUBECONFIG=${env.kube.kubeconfigPath}
  ${env.kube.kubectl} get tj -n ${plane.namespace} -o wide
  ${env.kube.kubectl} describe tj -n ${plane.namespace} ${jobs[0]?.id ?? "<name>"}
  ${env.kube.kubectl} explain transcodejob.spec.ladder`);
    if (flags.exit) await stopAll(jobs.every((j) => j.phase === "Succeeded") ? 0 : 1);
  }
  console.log("\nPress Ctrl-C to stop.");
} catch (err) {
  console.error(`\nnpm start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll(1);
}

/** The transcoder image's public surface for the rest of the repo: where its entrypoint is, nothing else. */
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The TypeScript entrypoint (run with tsx in development and by the local launcher). */
export const TRANSCODER_ENTRYPOINT_TS = fileURLToPath(new URL("./src/main.ts", import.meta.url));

/**
 * The command that runs the TypeScript entrypoint through tsx with this Node: the embedded mode's
 * LOCAL_TASK_COMMAND. tsx is resolved here, not by the child, so the child's cwd does not matter (createRequire
 * also works when this module was loaded through require(esm), where import.meta.resolve is missing).
 */
export function transcoderCommand(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return [process.execPath, "--import", tsx, TRANSCODER_ENTRYPOINT_TS];
}
/** The esbuild bundle `npm run build:transcoder` writes (what the container runs). */
export const TRANSCODER_BUNDLE = fileURLToPath(new URL("./dist/main.mjs", import.meta.url));

/** The transcoder image's public surface for the rest of the repo: where its entrypoint is, nothing else. */
import { fileURLToPath } from "node:url";

/** The TypeScript entrypoint (run with tsx in development and by the local launcher). */
export const TRANSCODER_ENTRYPOINT_TS = fileURLToPath(new URL("./src/main.ts", import.meta.url));
/** The esbuild bundle `npm run build:transcoder` writes (what the container runs). */
export const TRANSCODER_BUNDLE = fileURLToPath(new URL("./dist/main.mjs", import.meta.url));

import { join } from "node:path";
import { build } from "esbuild";

/** The layer's path of the preload: the function's NODE_OPTIONS imports it. */
export const PRELOAD_LAYER_PATH = "tj/redis-url.mjs";
export const PRELOAD_NODE_OPTIONS = `--import /opt/${PRELOAD_LAYER_PATH}`;

/** Compiles redis-url.ts to one ES module for the nodejs22.x runtime (types stripped, nothing bundled in). */
export async function buildPreload(): Promise<string> {
  const result = await build({
    entryPoints: [join(import.meta.dirname, "redis-url.ts")],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "esm",
    write: false,
    logLevel: "warning",
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error("esbuild produced no preload");
  return js.text;
}

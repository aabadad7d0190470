import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { createZip } from "./zip.js";

export interface BundleResult {
  /** The bundled handler, also the only file in the zip (as index.js, handler "index.handler"). */
  jsPath: string;
  zipPath: string;
  jsBytes: number;
  zipBytes: number;
}

/**
 * Bundles lambda/handler.ts with its dependencies (ioredis, zod, pino) into one CommonJS file for the
 * nodejs22.x runtime and zips it. CommonJS because ioredis and pino are CommonJS; ESM output would need a
 * require shim. No AWS SDK is needed by the handler, so nothing is marked external.
 */
export async function bundleLambda(outDir: string): Promise<BundleResult> {
  await mkdir(outDir, { recursive: true });
  const result = await build({
    entryPoints: [join(import.meta.dirname, "handler.ts")],
    bundle: true,
    platform: "node",
    target: "node22",
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
  });
  const js = result.outputFiles[0];
  if (!js) throw new Error("esbuild produced no output");
  const data = Buffer.from(js.contents);
  const jsPath = join(outDir, "index.js");
  const zipPath = join(outDir, "upload-lambda.zip");
  const zip = createZip([{ name: "index.js", data }]);
  await writeFile(jsPath, data);
  await writeFile(zipPath, zip);
  return { jsPath, zipPath, jsBytes: data.length, zipBytes: zip.length };
}

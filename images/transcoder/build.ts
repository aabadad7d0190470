/**
 * Bundles the entrypoint into one ESM file (dist/main.mjs) for the container: no node_modules in the image.
 *   npx tsx images/transcoder/build.ts
 */
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

await build({
  entryPoints: [here("./src/main.ts")],
  outfile: here("./dist/main.mjs"),
  bundle: true,
  platform: "node",
  target: "node22",
  format: "esm",
  minify: true,
  sourcemap: "linked",
  legalComments: "external",
  // Some CommonJS dependencies (pino, ioredis) call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: "warning",
});
console.error(`wrote ${here("./dist/main.mjs")}`);

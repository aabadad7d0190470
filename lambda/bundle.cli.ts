import { join } from "node:path";
import { bundleLambda } from "./bundle.js";

// `npm run lambda:bundle [outDir]`: builds dist/lambda/upload-lambda.zip and prints its size.
const outDir = process.argv[2] ?? join(import.meta.dirname, "..", "dist", "lambda");
const r = await bundleLambda(outDir);
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
console.log(`bundle ${r.jsPath}: ${kib(r.jsBytes)}`);
console.log(`zip    ${r.zipPath}: ${kib(r.zipBytes)} (handler index.handler, runtime nodejs22.x or later)`);

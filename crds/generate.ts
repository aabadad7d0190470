// `npm run crds:generate`: writes the CRD YAML from the zod schema. The test in test/crds fails when it is stale.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { GENERATED_PATH, renderCrdYaml } from "./generator/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = join(root, GENERATED_PATH);
await mkdir(dirname(target), { recursive: true });
await writeFile(target, renderCrdYaml());
console.error(`wrote ${GENERATED_PATH}`);

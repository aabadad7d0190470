// `npm run chart:generate`: writes the chart's generated files (see render.ts). test/chart/generated.unit.test.ts
// fails when one is stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { renderChartFiles, repoRoot } from "./render.js";

for (const [path, content] of Object.entries(await renderChartFiles())) {
  mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
  writeFileSync(join(repoRoot, path), content);
  console.error(`wrote ${path}`);
}

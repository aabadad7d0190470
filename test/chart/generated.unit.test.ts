import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, type Settings } from "../../lib/config/index.js";
import { loadOperatorConfig } from "../../operator/config/index.js";
import { CHART_MANAGED, COMPONENT_NAMES, COMPONENTS, REQUIRED_WITH_ECS, SECRET_SETTINGS } from "../../scripts/chart/components.js";
import { renderChartFiles, repoRoot } from "../../scripts/chart/render.js";
import { valuesSchema } from "../../scripts/chart/values.js";
import { fullValues } from "./values.js";

describe("chart: generated files and their sources", () => {
  it("every generated file of charts/transcode-control-plane is current (run `npm run chart:generate` when this fails)", async () => {
    const files = await renderChartFiles();
    assert.ok(Object.keys(files).length >= 6);
    for (const [path, content] of Object.entries(files)) assert.equal(readFileSync(join(repoRoot, path), "utf8"), content, `${path} is stale`);
  });

  it("the secret settings are exactly those lib/config marks secret, across the chart's components", () => {
    const marked = new Set(COMPONENT_NAMES.flatMap((c) => Object.entries(COMPONENTS[c].settings as Settings).filter(([, s]) => s.secret === true).map(([n]) => n)));
    assert.deepEqual([...marked].sort(), [...SECRET_SETTINGS].sort());
  });

  it("every setting the chart sets itself is read by some component", () => {
    const read = new Set(COMPONENT_NAMES.flatMap((c) => Object.keys(COMPONENTS[c].settings)));
    assert.deepEqual(Object.keys(CHART_MANAGED).filter((n) => !read.has(n)), []);
  });

  it("REQUIRED_WITH_ECS is what the operator refuses LAUNCHER=ecs without", () => {
    const err = (() => {
      try {
        loadOperatorConfig({ LAUNCHER: "ecs", MONGODB_URL: "mongodb://db", REDIS_URL: "redis://r", UPLOADS_BUCKET: "up-bucket", OUTPUTS_BUCKET: "out-bucket" });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof ConfigError, "refused");
    assert.deepEqual(err.problems.map((p) => p.variable).sort(), [...REQUIRED_WITH_ECS]);
  });

  it("the values schema: the full test values pass; a string replica count, an unknown key, a secret or foreign setting in env do not", () => {
    assert.deepEqual(valuesSchema.safeParse(fullValues({ jobsNamespace: "media" })).error?.issues, undefined);
    const refused = (values: unknown) => valuesSchema.safeParse(values).error?.issues.map((i) => [i.path.join("."), i.code]);
    assert.deepEqual(refused({ operator: { replicas: "2" } }), [["operator.replicas", "invalid_type"]]);
    assert.deepEqual(refused({ operator: { replica: 2 } }), [["operator", "unrecognized_keys"]]);
    assert.deepEqual(refused({ operator: { env: { MONGODB_URL: "mongodb://x" } } }), [["operator.env", "unrecognized_keys"]]);
    assert.deepEqual(refused({ bridge: { env: { MAX_CONCURRENT_TASKS: 5 } } }), [["bridge.env", "unrecognized_keys"]]);
    assert.deepEqual(refused({ env: { LOG_LEVEL: "verbose" } }), [["env.LOG_LEVEL", "invalid_value"]]);
    assert.deepEqual(refused({ operator: { env: { JOBS_NAMESPACE: "x" } } }), [["operator.env", "unrecognized_keys"]]);
  });
});

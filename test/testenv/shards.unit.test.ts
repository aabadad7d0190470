import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { partition, partitionProblems, shards, type Shard } from "../../scripts/test/shards.js";

describe("scripts/test/shards: every test file runs in exactly one shard", () => {
  it("this tree: no test file left out, none in two shards, no glob that matches nothing", () => {
    assert.deepEqual(partitionProblems(partition()), []);
  });

  it("the suites that restart the shared servers or start stacks of their own are in the disruptive shard", () => {
    const files = partition().files;
    const owner = (f: string) => [...files].find(([, fs]) => fs.includes(f))?.[0];
    for (const f of ["test/chaos/chaos.test.ts", "test/chaos/same-name.test.ts", "test/smoke/services.test.ts", "test/testenv/lifecycle.test.ts"]) {
      assert.equal(owner(f), "disruptive", f);
    }
  });

  describe("partition on a made-up tree", () => {
    let root: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), "shards-"));
      for (const f of ["test/a/one.test.ts", "test/a/two.test.ts", "test/b/three.test.ts", "test/c/four.unit.test.ts", "test/a/helper.ts"]) {
        mkdirSync(join(root, dirname(f)), { recursive: true });
        writeFileSync(join(root, f), "");
      }
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    const cases: { name: string; shards: Shard[]; problems: RegExp[] }[] = [
      {
        name: "a clean split",
        shards: [
          { name: "x", spec: ["test/a/**/*.test.ts"] },
          { name: "y", spec: ["test/b/*.test.ts", "test/c/four.unit.test.ts"] },
        ],
        problems: [],
      },
      {
        name: "a file in no shard",
        shards: [{ name: "x", spec: ["test/a/**/*.test.ts", "test/b/*.test.ts"] }],
        problems: [/^test\/c\/four.unit.test.ts is in no shard/],
      },
      {
        name: "a file in two shards",
        shards: [
          { name: "x", spec: ["test/**/*.test.ts"] },
          { name: "y", spec: ["test/b/three.test.ts"] },
        ],
        problems: [/^test\/b\/three.test.ts is in more than one shard: x, y$/],
      },
      {
        name: "a glob that matches no test file (a helper is not a test)",
        shards: [{ name: "x", spec: ["test/**/*.test.ts", "test/a/helper.ts"] }],
        problems: [/^shard x: test\/a\/helper.ts matches no test file$/],
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const problems = partitionProblems(partition(c.shards, root));
        assert.equal(problems.length, c.problems.length, problems.join("\n"));
        c.problems.forEach((re, i) => assert.match(problems[i]!, re));
      });
    }
  });

  it("shard names are unique", () => {
    assert.equal(new Set(shards.map((s) => s.name)).size, shards.length);
  });
});

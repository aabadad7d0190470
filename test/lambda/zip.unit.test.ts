import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createZip } from "../../lambda/zip.js";

describe("lambda: zip writer", () => {
  it("writes an archive Python's zipfile reads back byte for byte, deterministically", () => {
    const data = Buffer.from("exports.handler = async () => 'ok';\n".repeat(500) + "é🎬");
    const zip = createZip([{ name: "index.js", data }]);
    assert.deepEqual(createZip([{ name: "index.js", data }]), zip, "same input, same bytes");
    const dir = mkdtempSync(join(tmpdir(), "zip-"));
    try {
      writeFileSync(join(dir, "a.zip"), zip);
      execFileSync("python3", ["-c", "import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None; z.extractall(sys.argv[2])", join(dir, "a.zip"), join(dir, "out")]);
      assert.deepEqual(readFileSync(join(dir, "out", "index.js")), data);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

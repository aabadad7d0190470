import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { bundleLambda } from "../../lambda/bundle.js";
import { decodeEntryFields } from "../../lib/uploads/index.js";
import { testEnv } from "../env/index.js";
import { suiteRedisUser } from "../support/redis-users.js";
import { awsRecord } from "./records.js";

const run = promisify(execFile);

/**
 * Builds the deployable zip, unpacks it into an empty directory (no node_modules anywhere above it), and
 * invokes index.handler the way the Lambda Node runtime does: require the file, call the export.
 */
describe("lambda bundle", () => {
  it("builds a zip whose handler runs on its own against real Redis", async function () {
    this.timeout(60_000);
    const env = testEnv();
    const out = join(env.tmpDir, `lambda-${randomBytes(3).toString("hex")}`);
    const built = await bundleLambda(join(out, "build"));
    console.log(`      bundle ${(built.jsBytes / 1024).toFixed(1)} KiB, zip ${(built.zipBytes / 1024).toFixed(1)} KiB`);
    assert.ok(built.zipBytes < 5 * 1024 * 1024, "well under Lambda's 50 MB zip limit");
    const task = join(out, "task");
    mkdirSync(task);
    await run("python3", ["-c", "import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])", built.zipPath, task]);
    assert.ok(existsSync(join(task, "index.js")));
    assert.ok(!existsSync(join(task, "node_modules")));

    const stream = `test-bundle:${randomBytes(4).toString("hex")}:uploads`;
    const user = await suiteRedisUser("lambda", { uploadsStream: stream });
    const event = {
      Records: [
        { messageId: "m1", eventSource: "aws:sqs", body: JSON.stringify({ Records: [awsRecord({ key: "uploads/dana/u7/d%C3%A9mo+reel.mov", eTag: "abc" })] }) },
        { messageId: "m2", eventSource: "aws:sqs", body: JSON.stringify({ Records: [awsRecord({ key: "uploads/dana/u7/cover.png" })] }) },
      ],
    };
    const script = `require(process.argv[1]).handler(JSON.parse(process.argv[2])).then((r) => { process.stdout.write("RESULT " + JSON.stringify(r) + "\\n"); process.exit(0); }, (e) => { console.error(e); process.exit(1); });`;
    const { stdout } = await run(process.execPath, ["-e", script, join(task, "index.js"), JSON.stringify(event)], {
      cwd: task,
      env: { PATH: process.env.PATH ?? "", REDIS_URL: user.url, UPLOADS_STREAM: stream, UPLOADS_BUCKET: "uploads-bucket", LOG_LEVEL: "warn" },
    });
    const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
    assert.ok(line, `handler printed a result: ${stdout}`);
    assert.deepEqual(JSON.parse(line.slice(7)), { batchItemFailures: [] });

    const redis = new Redis(env.redis.url);
    try {
      const entries = await redis.xrange(stream, "-", "+");
      assert.equal(entries.length, 1);
      const decoded = decodeEntryFields(entries[0]![1]);
      assert.ok(decoded.ok);
      assert.equal(decoded.entry.key, "uploads/dana/u7/démo reel.mov");
      await redis.del(stream, ...(await redis.keys(`${stream}:*`)));
    } finally {
      await redis.quit();
      await user.remove();
    }
  });
});

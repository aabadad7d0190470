import assert from "node:assert/strict";
import { apiSettings } from "../../api/config.js";
import { bridgeSettings } from "../../bridge/config.js";
import { describeDefault } from "../../lib/config/index.js";
import { DEFAULT_REDIS_KEY_NAMES, redisAclRules, type RedisComponent } from "../../lib/redis-acl/index.js";
import { progressChannel, progressKey, resultKey, RESULTS_CHANNEL } from "../../lib/task-contract/index.js";
import { streamKeys } from "../../lib/uploads/index.js";

/** Redis glob (only `*` is used in the rules) as a RegExp. */
const glob = (pattern: string) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);

/** The key patterns (any of ~, %R~, %W~) and channel patterns of one component's rules. */
function patterns(c: RedisComponent, names = DEFAULT_REDIS_KEY_NAMES) {
  const rules = redisAclRules(names)[c];
  return {
    keys: rules.filter((r) => /^(%R|%W|%RW)?~/.test(r)).map((r) => glob(r.replace(/^(%R|%W|%RW)?~/, ""))),
    channels: rules.filter((r) => r.startsWith("&")).map((r) => glob(r.slice(1))),
  };
}
const reaches = (re: RegExp[], name: string) => re.some((p) => p.test(name));

describe("Redis ACL rules are written from the code's own key names (lib/redis-acl)", () => {
  it("the default names are the processes' defaults", () => {
    assert.equal(DEFAULT_REDIS_KEY_NAMES.apiPrefix, describeDefault(apiSettings.API_REDIS_PREFIX.schema));
    assert.equal(DEFAULT_REDIS_KEY_NAMES.uploadsStream, describeDefault(bridgeSettings.UPLOADS_STREAM.schema));
    assert.equal(DEFAULT_REDIS_KEY_NAMES.legacyList, describeDefault(bridgeSettings.LEGACY_LIST.schema));
  });

  it("every key and channel a component's code names is in its patterns, and the task's reach nothing else of the others", () => {
    const uid = "8f0c2a8e-5a4e-4bd4-9d61-3a8b3a1f0e77";
    const up = streamKeys(DEFAULT_REDIS_KEY_NAMES.uploadsStream);
    const session = `${DEFAULT_REDIS_KEY_NAMES.apiPrefix}sess:abc`;
    const t = patterns("task");
    for (const k of [progressKey(uid), resultKey(uid, 3)]) assert.ok(reaches(t.keys, k), k);
    for (const ch of [progressChannel(uid), RESULTS_CHANNEL]) assert.ok(reaches(t.channels, ch), ch);
    for (const k of [session, up.stream, up.dedupe("x"), up.deadLetter]) assert.equal(reaches(t.keys, k), false, k);
    const l = patterns("lambda");
    for (const k of [up.stream, up.dedupe("bucket/key@etag")]) assert.ok(reaches(l.keys, k), k);
    assert.equal(reaches(l.keys, up.deadLetter), false);
    const b = patterns("bridge");
    for (const k of [up.stream, up.deadLetter, up.errors, up.dedupe("x"), "VideoJobs", "VideoJobs:processing"]) assert.ok(reaches(b.keys, k), k);
    assert.ok(reaches(patterns("api").keys, session));
    assert.equal(reaches(patterns("operator").keys, session), false);
  });

  it("a suite's own names move every pattern with them", () => {
    const names = { uploadsStream: "test:1:uploads", apiPrefix: "tj:api-test-1:", legacyList: "test:1:VideoJobs" };
    assert.ok(reaches(patterns("lambda", names).keys, streamKeys(names.uploadsStream).dedupe("x")));
    assert.equal(reaches(patterns("lambda", names).keys, DEFAULT_REDIS_KEY_NAMES.uploadsStream), false);
    assert.ok(reaches(patterns("api", names).keys, "tj:api-test-1:sess:x"));
    assert.ok(reaches(patterns("bridge", names).keys, "test:1:VideoJobs:processing"));
  });
});

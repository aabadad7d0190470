import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { bool, ConfigError, csv, describeDefault, fragments, int, loadConfig, setting, text, urlOf } from "../../lib/config/index.js";
import { DOC_PATH, PROCESSES, renderConfigurationDoc } from "../../scripts/docs/configuration.js";

describe("lib/config: one scheme for every process", () => {
  describe("parsers", () => {
    const cases: [string, () => unknown, unknown][] = [
      ["bool true", () => bool().parse("TRUE"), true],
      ["bool on", () => bool().parse("on"), true],
      ["bool 0", () => bool().parse("0"), false],
      ["bool no", () => bool().parse(" no "), false],
      ["int", () => int(1, 10).parse("7"), 7],
      ["csv", () => csv().parse(" a, ,b ,"), ["a", "b"]],
      ["url", () => urlOf("redis", "rediss").parse("rediss://:pw@h:6380"), "rediss://:pw@h:6380"],
    ];
    for (const [name, run, want] of cases) it(name, () => assert.deepEqual(run(), want));
    const refused: [string, () => unknown, RegExp][] = [
      ["bool maybe", () => bool().parse("maybe"), /must be true or false/],
      ["int out of range", () => int(1, 10).parse("11"), /at most 10/],
      ["int not a number", () => int(1, 10).parse("ten"), /whole number/],
      ["url of another scheme", () => urlOf("redis").parse("http://h"), /must be a redis:\/\/ URL/],
    ];
    for (const [name, run, re] of refused) it(`refuses ${name}`, () => assert.throws(run, re));
  });

  const settings = {
    ...fragments.mongo,
    ...fragments.kube,
    WORKERS: setting(int(1, 5).default(2), "workers"),
    NAME: setting(text().optional(), "a name"),
  };

  it("reads the current names, applies defaults, treats an empty value as unset", () => {
    const { config, warnings } = loadConfig("p", settings, { MONGODB_URL: "mongodb://h/", WORKERS: "", JOBS_NAMESPACE: "team-a" });
    assert.equal(config.MONGODB_URL, "mongodb://h/");
    assert.equal(config.MONGODB_DATABASE, "transcoder");
    assert.equal(config.JOBS_NAMESPACE, "team-a");
    assert.equal(config.WORKERS, 2);
    assert.equal(config.NAME, undefined);
    assert.deepEqual(warnings, []);
  });

  it("an old name still works for one release and says which name replaces it; the current name wins over it", () => {
    const { config, warnings } = loadConfig("p", settings, { MONGO_URL: "mongodb://old/", MONGO_DB: "legacy", WATCH_NAMESPACE: "ns-old" });
    assert.equal(config.MONGODB_URL, "mongodb://old/");
    assert.equal(config.MONGODB_DATABASE, "legacy");
    assert.equal(config.JOBS_NAMESPACE, "ns-old");
    assert.deepEqual(warnings, [
      "MONGO_URL is deprecated and will be removed in the next release: set MONGODB_URL instead",
      "MONGO_DB is deprecated and will be removed in the next release: set MONGODB_DATABASE instead",
      "WATCH_NAMESPACE is deprecated and will be removed in the next release: set JOBS_NAMESPACE instead",
    ]);
    const both = loadConfig("p", settings, { MONGODB_URL: "mongodb://new/", MONGO_URL: "mongodb://old/" });
    assert.equal(both.config.MONGODB_URL, "mongodb://new/");
    assert.deepEqual(both.warnings, []);
  });

  it("one ConfigError lists every bad variable, each with why, never a value; exit code 78", () => {
    const secret = "mongodb-not-a-url-with-password-hunter2";
    assert.throws(
      () => loadConfig("p", settings, { MONGODB_URL: secret, WORKERS: "9", JOBS_NAMESPACE: "Not_A_Namespace" }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.exitCode, 78);
        assert.equal(
          e.message,
          ["invalid configuration of p:", "  MONGODB_URL: must be a mongodb:// or mongodb+srv:// URL", "  JOBS_NAMESPACE: must be a Kubernetes namespace name", "  WORKERS: must be at most 5"].join("\n"),
        );
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      },
    );
  });

  it("cross-setting rules run even when another value is bad", () => {
    assert.throws(
      () => loadConfig("p", settings, { WORKERS: "0" }, { refine: (c) => (c.NAME === undefined ? [{ variable: "NAME", message: "required here" }] : []) }),
      /MONGODB_URL: is required\n {2}WORKERS: must be at least 1\n {2}NAME: required here/,
    );
  });

  it("describes defaults for the docs", () => {
    assert.equal(describeDefault(int(1, 5).default(2)), "2");
    assert.equal(describeDefault(text().optional()), "unset");
    assert.equal(describeDefault(text()), "required");
    assert.equal(describeDefault(csv().default([])), "(empty)");
  });

  it("the same setting has one definition in every process that reads it", () => {
    const seen = new Map<string, unknown>();
    for (const settingsOf of Object.values(PROCESSES)) {
      for (const [name, s] of Object.entries(settingsOf)) {
        if (seen.has(name)) assert.equal(seen.get(name), s, `${name} is defined twice`);
        seen.set(name, s);
      }
    }
    assert.ok(seen.size > 40);
  });

  it("docs/configuration.md is current (regenerate with npm run docs:config)", () => {
    assert.equal(readFileSync(DOC_PATH, "utf8"), renderConfigurationDoc());
  });
});

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { DEFAULT_REDIS_KEY_NAMES, REDIS_COMPONENTS, type RedisComponent } from "../../lib/redis-acl/index.js";
import { progressChannel, progressKey, resultKey, RESULTS_CHANNEL, writeResult } from "../../lib/task-contract/index.js";
import { streamKeys } from "../../lib/uploads/index.js";
import { testEnv } from "../env/index.js";

/**
 * #19 item 3 against the real Redis 7 of the test stack, with the users the stack created from lib/redis-acl: each
 * component's credential is refused (NOPERM) what it must not do. Every refused command is also run as the admin,
 * which must succeed: the refusal is the ACL's, not a typo or a missing key.
 */
describe("Redis ACL users: each component reaches only its own keys, channels and commands", function () {
  this.timeout(30_000);
  const names = DEFAULT_REDIS_KEY_NAMES;
  const uploads = streamKeys(names.uploadsStream);
  const session = `${names.apiPrefix}sess:${randomUUID()}`;
  const otherUid = randomUUID();
  const ownUid = randomUUID();
  const opened: Redis[] = [];
  let admin: Redis;

  const connect = (url: string): Redis => {
    const r = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: true });
    r.on("error", () => undefined);
    opened.push(r);
    return r;
  };
  const as = (c: RedisComponent): Redis => connect(testEnv().redis.clients[c]);

  before(async () => {
    admin = connect(testEnv().redis.url);
    // Real data behind every key a row touches: a session of some user, another job's result and progress.
    await admin.set(session, JSON.stringify({ userId: "victim" }), "EX", 600);
    await writeResult(admin, otherUid, 1, { ok: true, exitCode: 0, outputs: { renditions: [] } });
    await admin.hset(progressKey(otherUid), { attempt: "1", percent: "40", stage: "transcoding", updatedAt: new Date().toISOString() });
    await admin.expire(progressKey(otherUid), 600);
  });
  after(async () => {
    await admin.del(session, resultKey(otherUid, 1), progressKey(otherUid), resultKey(ownUid, 1), progressKey(ownUid), `${uploads.dedupe("acl-test")}`);
    for (const r of opened) r.disconnect();
  });

  type Op = (r: Redis) => Promise<unknown>;
  type Argv = (string | number)[];
  /** [component, what, the command; "dry" when running it as the admin would disturb other suites (ACL DRYRUN then)]. */
  const refused: [RedisComponent, string, Argv, "dry"?][] = [
    // The task parses untrusted media: what a compromised one would try first.
    ["task", "SET a session record (become any user)", ["SET", session, JSON.stringify({ userId: "attacker" })]],
    ["task", "XADD a forged upload event", ["XADD", uploads.stream, "*", "entry", "{}"], "dry"],
    ["task", "GET another job's result", ["GET", resultKey(otherUid, 1)]],
    ["task", "HGETALL another job's progress", ["HGETALL", progressKey(otherUid)]],
    ["task", "SET with GET (read through a write)", ["SET", resultKey(otherUid, 1), "{}", "GET"], "dry"],
    ["task", "DEL another job's result", ["DEL", resultKey(otherUid, 1)], "dry"],
    ["task", "SUBSCRIBE to result notices (learn other jobs' uids)", ["SUBSCRIBE", RESULTS_CHANNEL]],
    ["task", "PSUBSCRIBE to every job's progress", ["PSUBSCRIBE", progressChannel("*")]],
    ["task", "SCAN the keyspace", ["SCAN", 0]],
    ["task", "KEYS", ["KEYS", "tj:*"]],
    ["task", "CLIENT TRACKING BCAST (names of every modified key)", ["CLIENT", "TRACKING", "ON", "BCAST"]],
    ["task", "CLIENT LIST (other connections' names)", ["CLIENT", "LIST"]],
    ["operator", "SET a result (it only reads them)", ["SET", resultKey(otherUid, 1), "{}"], "dry"],
    ["operator", "HSET progress", ["HSET", progressKey(otherUid), "percent", "99"], "dry"],
    ["operator", "PUBLISH a result notice", ["PUBLISH", RESULTS_CHANNEL, "{}"], "dry"],
    ["operator", "GET a session", ["GET", session]],
    ["operator", "XADD an upload event", ["XADD", uploads.stream, "*", "entry", "{}"], "dry"],
    ["api", "SET a result", ["SET", resultKey(otherUid, 1), "{}"], "dry"],
    ["api", "HSET progress (it only reads it)", ["HSET", progressKey(otherUid), "percent", "99"], "dry"],
    ["api", "XADD an upload event", ["XADD", uploads.stream, "*", "entry", "{}"], "dry"],
    ["api", "SUBSCRIBE to result notices", ["SUBSCRIBE", RESULTS_CHANNEL]],
    // EVAL is the sign-in limiter's (api/auth/limiter.ts): a script is held to the same keys as the user.
    ["api", "EVAL a script writing a result", ["EVAL", "return redis.call('SET', KEYS[1], '{}')", 1, resultKey(otherUid, 1)], "dry"],
    ["lambda", "GET a session", ["GET", session]],
    ["lambda", "GET a result", ["GET", resultKey(otherUid, 1)]],
    ["lambda", "read the upload stream (XRANGE)", ["XRANGE", uploads.stream, "-", "+", "COUNT", 1]],
    ["lambda", "delete from the upload stream (XDEL)", ["XDEL", uploads.stream, "0-1"], "dry"],
    ["lambda", "SET outside its dedupe keys", ["SET", `${names.apiPrefix}x`, "1"], "dry"],
    ["bridge", "GET a session", ["GET", session]],
    ["bridge", "SET a result", ["SET", resultKey(otherUid, 1), "{}"], "dry"],
    ["bridge", "HGETALL progress", ["HGETALL", progressKey(otherUid)]],
    ["bridge", "XADD to a stream that is not its own", ["XADD", "tj:other", "*", "a", "b"], "dry"],
    ...REDIS_COMPONENTS.flatMap((c): [RedisComponent, string, Argv, "dry"?][] => [
      [c, "FLUSHALL", ["FLUSHALL", "ASYNC"], "dry"],
      [c, "CONFIG GET", ["CONFIG", "GET", "maxmemory"]],
      [c, "ACL LIST", ["ACL", "LIST"]],
    ]),
  ];
  for (const [component, what, [command, ...args], dry] of refused) {
    it(`${component}: ${what} is refused with NOPERM`, async () => {
      await assert.rejects(as(component).call(String(command), ...args), /NOPERM/);
      // The same command is fine for the admin: the refusal is the ACL's, not a typo or a missing key.
      if (dry) assert.equal(await admin.call("ACL", "DRYRUN", "admin", String(command), ...args.map(String)), "OK");
      else await connect(testEnv().redis.url).call(String(command), ...args);
    });
  }

  const allowed: [RedisComponent, string, Op][] = [
    [
      "task",
      "write its own job's progress and result, and announce them",
      async (r) => {
        await r.multi().hset(progressKey(ownUid), { attempt: "1", percent: "5", stage: "probing", updatedAt: new Date().toISOString() }).expire(progressKey(ownUid), 60).publish(progressChannel(ownUid), "{}").exec();
        await writeResult(r, ownUid, 1, { ok: true, exitCode: 0, outputs: { renditions: [] } });
        assert.equal((await admin.hgetall(progressKey(ownUid))).stage, "probing");
      },
    ],
    ["operator", "read results and progress, hear result notices", async (r) => [await r.get(resultKey(otherUid, 1)), await r.hgetall(progressKey(otherUid)), await r.subscribe(RESULTS_CHANNEL)]],
    ["api", "read and write its sessions, read progress, hear a job's progress", async (r) => [await r.get(session), await r.set(`${names.apiPrefix}sess:x`, "{}", "PX", 1000), await r.hgetall(progressKey(otherUid)), await r.subscribe(progressChannel(otherUid))]],
    ["lambda", "read and write its dedupe keys", async (r) => [await r.set(uploads.dedupe("acl-test"), "0-1", "EX", 60), await r.get(uploads.dedupe("acl-test"))]],
    ["bridge", "read its stream and the legacy list", async (r) => [await r.xlen(uploads.stream), await r.lrange(names.legacyList, 0, 0)]],
  ];
  for (const [component, what, op] of allowed) it(`${component}: may ${what}`, async () => void (await op(as(component))));

  it("a connection without a credential can do nothing: the default user is off", async () => {
    const url = new URL(testEnv().redis.url);
    const anonymous = connect(`redis://${url.host}`);
    await assert.rejects(anonymous.ping(), /NOAUTH/);
  });
});

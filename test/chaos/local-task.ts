/**
 * A stand-in for the transcoder at the task contract, for crash tests of the local launcher: it counts its own
 * start (tj:test:launches:<uid>:<attempt>) and how many of its kind run at once in its namespace (tj:test:alive:<ns>), sleeps the
 * milliseconds given as its argument, then writes its attempt's result as the transcoder does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { writeResult } from "../../lib/task-contract/index.js";

const { TJ_JOB_UID: uid = "", TJ_JOB_NAMESPACE: ns = "", TJ_ATTEMPT: attempt = "0", TJ_REDIS_URL: url = "" } = process.env;
const redis = new Redis(url);
const me = `${uid}:${attempt}:${process.pid}`;
await redis.incr(`tj:test:launches:${uid}:${attempt}`);
await redis.sadd(`tj:test:alive:${ns}`, me);
const peak = await redis.scard(`tj:test:alive:${ns}`);
await redis.eval("if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end", 1, `tj:test:alive:max:${ns}`, peak);
process.once("SIGTERM", () => void redis.srem(`tj:test:alive:${ns}`, me).then(() => process.exit(75)));
await sleep(Number(process.argv[2] ?? 1000));
await writeResult(redis, uid, Number(attempt), { ok: true, exitCode: 0, outputs: { renditions: [] } });
await redis.srem(`tj:test:alive:${ns}`, me);
redis.disconnect();

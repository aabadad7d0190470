import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Socket } from "node:net";
import { Redis } from "ioredis";
import { newRedisPassword, redisAclRules, redisPasswordHash, redisUrlAs, REDIS_COMPONENTS, setAclUser, type RedisComponent } from "../../lib/redis-acl/index.js";
import type { RedisEndpoint } from "../types.js";
import { binaries } from "../versions.js";
import type { StartContext } from "./context.js";

const ADMIN = "admin";

/**
 * Debian's redis-server, no persistence (tests of durability start their own instance with AOF), with ACLs on: the
 * default user is off, so a connection without a credential can do nothing; an admin user holds every right (the
 * tests' own setup and inspection); each component's user is created by `withComponentUsers`.
 */
export async function startRedis(ctx: StartContext): Promise<{ url: string }> {
  const dir = ctx.dataDir("redis");
  const password = newRedisPassword();
  // Only the password's hash is on disk, and the file is the owner's alone.
  const aclFile = join(dir, "users.acl");
  const admin = `user ${ADMIN} on #${redisPasswordHash(password)} ~* &* +@all`;
  writeFileSync(aclFile, [`user default off resetkeys resetchannels -@all`, admin, ""].join("\n"), { mode: 0o600 });
  return ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({
      service: "redis",
      command: binaries.redisServer,
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir, "--aclfile", aclFile],
    });
    await proc.waitReady(() => redisPing(port!, password), 15_000);
    return { url: redisUrlAs(`redis://127.0.0.1:${port}`, ADMIN, password) };
  });
}

/**
 * Creates (or replaces) one user per component with the rules of lib/redis-acl and a fresh password, through the
 * admin URL: on the stack's own Redis and on one named by TESTENV_REDIS_URL alike.
 */
export async function withComponentUsers(admin: { url: string }): Promise<RedisEndpoint> {
  const redis = new Redis(admin.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const rules = redisAclRules();
    const clients = {} as Record<RedisComponent, string>;
    for (const component of REDIS_COMPONENTS) {
      const password = newRedisPassword();
      await setAclUser(redis, { name: component, password, rules: rules[component] });
      clients[component] = redisUrlAs(admin.url, component, password);
    }
    // Into the ACL file (hashes only), so that a restarted Redis (the chaos suite's redis-restart) still knows the
    // components' users; without it every component got WRONGPASS after a restart. A Redis started without an
    // ACL file (one named by TESTENV_REDIS_URL) refuses ACL SAVE: its users are its operator's business.
    await redis.call("ACL", "SAVE").catch(() => undefined);
    return { url: admin.url, clients };
  } finally {
    redis.disconnect();
  }
}

function redisPing(port: number, password: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    let reply = "";
    socket.on("data", (data) => {
      reply += data.toString();
      if (!reply.includes("\r\n", reply.indexOf("\r\n") + 2)) return;
      resolve(reply === "+OK\r\n+PONG\r\n");
      socket.destroy();
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      resolve(false);
      socket.destroy();
    });
    socket.connect(port, "127.0.0.1", () => socket.write(`AUTH ${ADMIN} ${password}\r\nPING\r\n`));
  });
}

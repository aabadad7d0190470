import { createHash, randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

export interface AclUser {
  name: string;
  password: string;
  rules: readonly string[];
}

/** A password for a generated user: 48 hex digits (192 bits), safe in a URL's userinfo as it is. */
export function newRedisPassword(): string {
  return randomBytes(24).toString("hex");
}

/**
 * Creates or replaces a user (`reset` first, so an existing one keeps nothing of its old rules). The password is
 * sent as its SHA-256 (`#<hex>`): it never crosses the connection and ACL LIST shows only the hash.
 */
export async function setAclUser(admin: Redis, user: AclUser): Promise<void> {
  const hash = createHash("sha256").update(user.password).digest("hex");
  await admin.call("ACL", "SETUSER", user.name, "reset", "on", `#${hash}`, ...user.rules);
}

/** `base` (redis:// or rediss://, host and port) with the user's credential in it. */
export function redisUrlAs(base: string, user: string, password: string): string {
  const url = new URL(base);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

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

/** How Redis stores a password (`#<hex>` in an ACL rule or an aclfile): SHA-256. */
export function redisPasswordHash(password: string): string {
  return createHash("sha256").update(password).digest("hex");
}

/**
 * Creates or replaces a user (`reset` first, so an existing one keeps nothing of its old rules). The password is
 * sent as its SHA-256 (`#<hex>`): it never crosses the connection and ACL LIST shows only the hash.
 */
export async function setAclUser(admin: Redis, user: AclUser): Promise<void> {
  await admin.call("ACL", "SETUSER", user.name, "reset", "on", `#${redisPasswordHash(user.password)}`, ...user.rules);
}

/** `base` (redis:// or rediss://, host and port) with the user's credential in it. */
export function redisUrlAs(base: string, user: string, password: string): string {
  const url = new URL(base);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Collection, Db } from "mongodb";
import type { Scope } from "./scopes.js";

/** An API token as stored: its secret never is, only the secret's SHA-256. */
export interface ApiToken {
  id: string;
  owner: string;
  /** The owner's email when the token was made (what /auth/me shows for a token). */
  email: string;
  name: string;
  scopes: Scope[];
  createdAt: Date;
  expiresAt?: Date | undefined;
  revokedAt?: Date | undefined;
}

export interface NewApiToken {
  owner: string;
  email: string;
  name: string;
  scopes: Scope[];
  expiresAt?: Date | undefined;
}

/** Why a presented token does not authenticate, or the token when it does. */
export type TokenCheck = { ok: true; token: ApiToken } | { ok: false; reason: "unknown" | "revoked" | "expired"; expiresAt?: Date };

export interface TokenStore {
  /** Stores a new token; `secret` is returned once, here, and kept nowhere. */
  create(t: NewApiToken): Promise<{ token: ApiToken; secret: string }>;
  check(secret: string, now: Date): Promise<TokenCheck>;
  /** The owner's tokens that are not revoked, newest first. */
  list(owner: string): Promise<ApiToken[]>;
  countActive(owner: string, now: Date): Promise<number>;
  /** false when the owner has no such (unrevoked) token. */
  revoke(owner: string, id: string, at: Date): Promise<boolean>;
}

/** "tjat_" marks the secret for secret scanners and lets a malformed one be refused without a lookup. */
export const TOKEN_PREFIX = "tjat_";
const SECRET = /^tjat_[A-Za-z0-9_-]{43}$/;

/** A 256-bit random secret needs no slow hash: SHA-256 of it cannot be reversed or guessed. */
export const hashSecret = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

interface TokenDoc {
  _id: string;
  owner: string;
  email: string;
  name: string;
  scopes: Scope[];
  hash: string;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
}

const toToken = (d: TokenDoc): ApiToken => ({
  id: d._id,
  owner: d.owner,
  email: d.email,
  name: d.name,
  scopes: d.scopes,
  createdAt: d.createdAt,
  ...(d.expiresAt ? { expiresAt: d.expiresAt } : {}),
  ...(d.revokedAt ? { revokedAt: d.revokedAt } : {}),
});

/** Tokens in MongoDB `api_tokens`, found by the secret's hash (unique index). A revoked token's record is kept. */
export class MongoTokenStore implements TokenStore {
  private readonly tokens: Collection<TokenDoc>;
  constructor(db: Db) {
    this.tokens = db.collection<TokenDoc>("api_tokens");
  }

  async ensureIndexes(): Promise<void> {
    await this.tokens.createIndex({ hash: 1 }, { unique: true, name: "hash_unique" });
    await this.tokens.createIndex({ owner: 1, createdAt: -1 }, { name: "owner_createdAt" });
  }

  async create(t: NewApiToken): Promise<{ token: ApiToken; secret: string }> {
    const secret = TOKEN_PREFIX + randomBytes(32).toString("base64url");
    const doc: TokenDoc = {
      _id: randomUUID(),
      owner: t.owner,
      email: t.email,
      name: t.name,
      scopes: t.scopes,
      hash: hashSecret(secret),
      createdAt: new Date(),
      ...(t.expiresAt ? { expiresAt: t.expiresAt } : {}),
    };
    await this.tokens.insertOne(doc);
    return { token: toToken(doc), secret };
  }

  async check(secret: string, now: Date): Promise<TokenCheck> {
    if (!SECRET.test(secret)) return { ok: false, reason: "unknown" };
    const d = await this.tokens.findOne({ hash: hashSecret(secret) });
    if (!d) return { ok: false, reason: "unknown" };
    if (d.revokedAt) return { ok: false, reason: "revoked" };
    if (d.expiresAt && d.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired", expiresAt: d.expiresAt };
    return { ok: true, token: toToken(d) };
  }

  async list(owner: string): Promise<ApiToken[]> {
    const docs = await this.tokens.find({ owner, revokedAt: { $exists: false } }).sort({ createdAt: -1 }).toArray();
    return docs.map(toToken);
  }

  async countActive(owner: string, now: Date): Promise<number> {
    const docs = await this.tokens.find({ owner, revokedAt: { $exists: false } }, { projection: { expiresAt: 1 } }).toArray();
    return docs.filter((d) => !d.expiresAt || d.expiresAt.getTime() > now.getTime()).length;
  }

  async revoke(owner: string, id: string, at: Date): Promise<boolean> {
    const r = await this.tokens.updateOne({ _id: id, owner, revokedAt: { $exists: false } }, { $set: { revokedAt: at } });
    return r.matchedCount === 1;
  }
}

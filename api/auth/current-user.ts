import { timingSafeEqual } from "node:crypto";
import type { Context } from "koa";
import { HttpError } from "../../lib/errors/index.js";

export interface SessionUser {
  id: string;
  email: string;
}

/** The fields this API keeps in a koa-session session. */
export interface SessionData {
  uid?: string;
  email?: string;
  csrf?: string;
}

interface KoaSession extends SessionData {
  regenerate(): Promise<void> | undefined;
}

export function sessionOf(ctx: Context): KoaSession | null {
  return (ctx as unknown as { session: KoaSession | null }).session;
}

export function clearSession(ctx: Context): void {
  (ctx as unknown as { session: KoaSession | null }).session = null;
}

export const CSRF_HEADER = "x-csrf-token";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sameToken(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

/**
 * Resolves the signed-in user from the session cookie. Writes must also carry the session's CSRF token in
 * X-CSRF-Token: a cross-site page can make the browser send the cookie but cannot read or set that header.
 */
export function requireUser(ctx: Context): SessionUser {
  const s = sessionOf(ctx);
  if (!s?.uid || !s.email) {
    throw new HttpError(401, "sign in first: no valid session", { type: "unauthenticated" });
  }
  if (!SAFE_METHODS.has(ctx.method)) {
    const sent = ctx.get(CSRF_HEADER);
    if (!s.csrf || !sent || !sameToken(sent, s.csrf)) {
      throw new HttpError(403, `cookie-authenticated writes need the session's CSRF token in the ${CSRF_HEADER} header`, {
        field: `header.${CSRF_HEADER}`,
        type: "csrf",
      });
    }
  }
  const user = { id: s.uid, email: s.email };
  ctx.state.user = user;
  return user;
}

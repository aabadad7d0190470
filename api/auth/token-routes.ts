import { HttpError } from "../../lib/errors/index.js";
import type { ApiDeps } from "../deps.js";
import { problemResponses } from "../http/responses.js";
import { defineRoute, type AnyRoute } from "../http/route.js";
import { currentUser } from "./current-user.js";
import { CreatedTokenView, CreateTokenBody, TokenIdParams, TokenListView } from "./schemas.js";
import type { ApiToken } from "./tokens.js";

/** Active tokens one user may hold; beyond it a new one needs an old one revoked. */
export const MAX_ACTIVE_TOKENS = 50;
const DAY_MS = 24 * 3600 * 1000;

const view = (t: ApiToken) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  ...(t.expiresAt ? { expiresAt: t.expiresAt.toISOString() } : {}),
});

/** What the token routes use: the token store. */
export type TokenRouteDeps = Pick<ApiDeps, "tokens">;

/** API tokens for programs, managed by a signed-in user (a token cannot make or revoke tokens). */
export function tokenRoutes(deps: TokenRouteDeps): AnyRoute[] {
  return [
    defineRoute({
      method: "post",
      path: "/auth/tokens",
      operationId: "createApiToken",
      summary: "Create an API token (shown once) with scopes and an optional expiry",
      tags: ["auth"],
      auth: "session",
      body: CreateTokenBody,
      responses: { 201: { description: "The token, with its secret (never shown again)", schema: CreatedTokenView }, ...problemResponses(400, 401, 403, 413, 415, 422) },
      handler: async (ctx, { body }) => {
        const user = currentUser(ctx);
        const now = new Date();
        if ((await deps.tokens.countActive(user.id, now)) >= MAX_ACTIVE_TOKENS) {
          throw new HttpError(422, `you already have ${MAX_ACTIVE_TOKENS} active API tokens; revoke one first`, { field: "body" });
        }
        const expiresAt = body.expiresInDays === undefined ? undefined : new Date(now.getTime() + body.expiresInDays * DAY_MS);
        const { token, secret } = await deps.tokens.create({ owner: user.id, email: user.email, name: body.name, scopes: body.scopes, expiresAt });
        ctx.status = 201;
        ctx.set("Cache-Control", "no-store");
        ctx.set("Location", `/auth/tokens/${token.id}`);
        ctx.body = { ...view(token), token: secret };
      },
    }),
    defineRoute({
      method: "get",
      path: "/auth/tokens",
      operationId: "listApiTokens",
      summary: "The signed-in user's API tokens (never their secrets)",
      tags: ["auth"],
      auth: "session",
      responses: { 200: { description: "Tokens not revoked", schema: TokenListView }, ...problemResponses(401, 403) },
      handler: async (ctx) => {
        ctx.body = { items: (await deps.tokens.list(currentUser(ctx).id)).map(view) };
      },
    }),
    defineRoute({
      method: "delete",
      path: "/auth/tokens/:id",
      operationId: "revokeApiToken",
      summary: "Revoke an API token: it stops working at once, on every replica",
      tags: ["auth"],
      auth: "session",
      params: TokenIdParams,
      responses: { 204: { description: "Revoked" }, ...problemResponses(400, 401, 403, 404) },
      handler: async (ctx, { params }) => {
        if (!(await deps.tokens.revoke(currentUser(ctx).id, params.id, new Date()))) throw new HttpError(404, "no such token", { field: "path.id" });
        ctx.status = 204;
      },
    }),
  ];
}

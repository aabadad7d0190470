import { z } from "zod";
import { SCOPES, ScopeSchema } from "./scopes.js";

const email = z
  .email("must be an email address")
  .max(254)
  .transform((e) => e.trim().toLowerCase());

export const SignupBody = z.strictObject({
  email,
  password: z.string().min(12, "must be at least 12 characters").max(256, "must be at most 256 characters"),
});

export const LoginBody = z.strictObject({
  email,
  password: z.string().min(1, "is required").max(256, "must be at most 256 characters"),
});

export const UserView = z.object({ id: z.string(), email: z.string() });

export const SessionView = z.object({
  user: UserView,
  /** Send back in X-CSRF-Token on every write made with the session cookie. */
  csrfToken: z.string(),
});

export const MeView = z.object({
  user: UserView,
  csrfToken: z.string().optional().describe("With the session cookie: send it back in X-CSRF-Token on every write"),
  token: z.object({ id: z.string(), scopes: z.array(z.string()) }).optional().describe("With an API token: which one"),
});

export const CreateTokenBody = z.strictObject({
  name: z
    .string()
    .min(1, "must not be empty")
    .max(100, "must be at most 100 characters")
    .regex(/^[\x20-\x7e]+$/, "must be printable ASCII")
    .describe("What the token is for, e.g. the program that uses it"),
  scopes: z
    .array(ScopeSchema)
    .min(1, "must name at least one scope")
    .max(Object.keys(SCOPES).length)
    .refine((s) => new Set(s).size === s.length, "must not repeat a scope"),
  expiresInDays: z.int().min(1).max(365).optional().describe("Days until the token stops working; without it the token works until revoked"),
});

export const TokenView = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(ScopeSchema),
  createdAt: z.string(),
  expiresAt: z.string().optional(),
});

export const CreatedTokenView = TokenView.extend({
  token: z.string().describe("The secret, shown this once (only its hash is stored): send it as Authorization: Bearer <token>"),
});

export const TokenListView = z.object({ items: z.array(TokenView).describe("Tokens not revoked, newest first (expired ones included)") });

export const TokenIdParams = z.strictObject({ id: z.uuid("is not a token id") });

import { z } from "zod";

/** What an API token may do. A signed-in session may do everything; token management needs the session. */
export const SCOPES = {
  "jobs:read": "read your jobs: list, status, progress events, output and playback links",
  "jobs:write": "upload (presigned POST, multipart) and create or cancel jobs",
} as const;
export type Scope = keyof typeof SCOPES;

export const ScopeSchema = z.enum(Object.keys(SCOPES) as [Scope, ...Scope[]]).describe(
  Object.entries(SCOPES)
    .map(([s, d]) => `${s}: ${d}`)
    .join("; "),
);

/** Route auth for each scope: a session, or a token holding it. */
export const READ: { scopes: readonly Scope[] } = { scopes: ["jobs:read"] };
export const WRITE: { scopes: readonly Scope[] } = { scopes: ["jobs:write"] };

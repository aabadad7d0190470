/**
 * Listing order and cursors, pure. Jobs are listed newest first (creation time, then name), and a cursor is the
 * position of the last job of a page, so a job created while a client pages never shifts the later pages.
 */
export interface Position {
  createdAt: string;
  id: string;
}

const before = (a: Position, b: Position): boolean => (a.createdAt !== b.createdAt ? a.createdAt > b.createdAt : a.id < b.id);

export function newestFirst<T extends Position>(jobs: T[]): T[] {
  return jobs.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
}

export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.createdAt, p.id]), "utf8").toString("base64url");
}

/** undefined when `cursor` is not one this API handed out. */
export function decodeCursor(cursor: string): Position | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return { createdAt: v[0], id: v[1] };
  } catch {
    // not JSON: not ours
  }
  return undefined;
}

/** One page of `sorted` (newest first) after `after`, and the cursor of the next page when there is one. */
export function pageOf<T extends Position>(sorted: T[], limit: number, after?: Position): { items: T[]; nextCursor?: string } {
  const start = after ? sorted.findIndex((j) => before(after, j)) : 0;
  const items = start < 0 ? [] : sorted.slice(start, start + limit);
  const last = items[items.length - 1];
  const more = start >= 0 && start + limit < sorted.length;
  return { items, ...(more && last ? { nextCursor: encodeCursor(last) } : {}) };
}

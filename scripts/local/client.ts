/**
 * A small typed client of the REST API, as a user would script it: a cookie session + CSRF token, or an API token
 * (Authorization: Bearer, no cookie), presigned POST uploads straight to S3, job reads. Used by the demo, the
 * benchmark and the end-to-end test.
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";

export interface JobView {
  id: string;
  uid: string;
  filename: string;
  reencodes?: string;
  phase: string;
  progress?: { percent: number; stage: string };
  queuePosition?: number;
  attempts: number;
  source: { key: string };
  reason?: string;
  message?: string;
  outputs?: { masterPlaylist?: string; renditions: { name: string; width: number; height: number; bandwidth: number }[] };
}

export interface OutputLinks {
  /** Plays in any HLS player, without a cookie, until playbackExpiresAt. */
  masterPlaylist?: string;
  playbackExpiresAt?: string;
  manifest?: string;
  poster?: string;
  renditions: { name: string; playlist?: string; mp4?: string }[];
}

export class ApiClient {
  private cookie = "";
  private csrf = "";
  private bearer = "";
  constructor(readonly baseUrl: string) {}

  /** A client that authenticates with an API token only (POST /auth/tokens), as a program would. */
  static withToken(baseUrl: string, token: string): ApiClient {
    const c = new ApiClient(baseUrl);
    c.bearer = token;
    return c;
  }

  /** The session cookie, for load generators that send requests of their own. */
  get cookieHeader(): string {
    return this.cookie;
  }

  async signupAndLogin(email: string, password: string): Promise<{ id: string }> {
    await this.call("POST", "/auth/signup", { email, password }, [201, 409]);
    const res = await this.call<{ user: { id: string }; csrfToken: string }>("POST", "/auth/login", { email, password });
    this.csrf = res.csrfToken;
    return res.user;
  }

  /** Uploads a local file with the presigned POST the API hands out; returns the S3 key. */
  async upload(path: string, contentType = "video/mp4"): Promise<string> {
    const form = await this.call<{ key: string; url: string; fields: Record<string, string> }>("POST", "/uploads/presigned-post", {
      filename: basename(path),
      contentType,
    });
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append("file", new Blob([await readFile(path)], { type: contentType }), basename(path));
    const res = await fetch(form.url, { method: "POST", body });
    if (res.status >= 300) throw new Error(`S3 refused the upload of ${path}: ${res.status} ${await res.text()}`);
    return form.key;
  }

  /** An API token of the signed-in user; its secret is in `token` (shown this once). */
  createToken(name: string, scopes: string[], expiresInDays?: number): Promise<{ id: string; token: string }> {
    return this.call("POST", "/auth/tokens", { name, scopes, ...(expiresInDays ? { expiresInDays } : {}) }, [201]);
  }

  async listJobs(): Promise<JobView[]> {
    return (await this.call<{ items: JobView[] }>("GET", "/jobs?limit=100")).items;
  }

  getJob(id: string): Promise<JobView> {
    return this.call<JobView>("GET", `/jobs/${encodeURIComponent(id)}`);
  }

  outputs(id: string): Promise<OutputLinks> {
    return this.call<OutputLinks>("GET", `/jobs/${encodeURIComponent(id)}/outputs`);
  }

  async call<T>(method: string, path: string, body?: unknown, okStatuses?: number[]): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf) headers["x-csrf-token"] = this.csrf;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const setCookies = res.headers.getSetCookie();
    if (setCookies.length) {
      const jar = new Map(this.cookie.split("; ").filter(Boolean).map((c) => [c.split("=")[0]!, c] as const));
      for (const c of setCookies) {
        const pair = c.split(";")[0]!;
        jar.set(pair.split("=")[0]!, pair);
      }
      this.cookie = [...jar.values()].join("; ");
    }
    const text = await res.text();
    const ok = okStatuses ? okStatuses.includes(res.status) : res.ok;
    if (!ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

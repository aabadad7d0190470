import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Logger } from "../log.js";

export interface Probe {
  ok: boolean;
  /** A short reason when not ok; shown in the probe's body. */
  reason?: string;
  /** What the process wants operators to see (e.g. the bridge's lag); JSON in the body. */
  details?: Record<string, unknown>;
}

export interface HealthOptions {
  host: string;
  port: number;
  /** Liveness: false only when the process should be restarted. Absent: no /healthz (a metrics-only port). */
  live?: () => Probe;
  /**
   * Readiness: false while it cannot do its work (starting, a dependency down, shutting down). Absent: no /readyz.
   * May be asynchronous (the API pings its dependencies); a rejection answers 503.
   */
  ready?: () => Probe | Promise<Probe>;
  registry: Registry;
  log: Logger;
}

export interface HealthServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * /healthz, /readyz and /metrics for every long-running process, on a plain node:http server (three routes need no
 * framework): the only HTTP server of the operator and the bridge, the API's internal one (INTERNAL_HTTP_PORT).
 * Probe bodies are JSON: {status, reason?, ...details}.
 */
export async function startHealthServer(o: HealthOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    const probe = (p: Probe): void =>
      send(p.ok ? 200 : 503, JSON.stringify({ status: p.ok ? "ok" : "unavailable", ...(p.reason ? { reason: p.reason } : {}), ...p.details }));
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, JSON.stringify({ status: "method not allowed" }));
    if (path === "/healthz" && o.live) return probe(o.live());
    if (path === "/readyz" && o.ready) {
      const ready = o.ready;
      Promise.resolve()
        .then(ready)
        .then(probe, (err: unknown) => {
          o.log.error({ err: (err as Error).message }, "readiness check failed");
          probe({ ok: false, reason: "readiness check failed" });
        });
      return;
    }
    if (path === "/metrics") {
      o.registry.metrics().then(
        (text) => send(200, text, o.registry.contentType),
        (err: unknown) => {
          o.log.error({ err: (err as Error).message }, "metrics collection failed");
          send(500, JSON.stringify({ status: "metrics unavailable" }));
        },
      );
      return;
    }
    send(404, JSON.stringify({ status: "not found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host === "0.0.0.0" || o.host === "::" ? "127.0.0.1" : o.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

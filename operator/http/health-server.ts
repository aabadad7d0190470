import { createServer, type Server } from "node:http";
import type { Registry } from "prom-client";
import type { Logger } from "../../lib/log.js";

export interface HealthSources {
  /** Liveness: the process can serve; false only when it should be restarted. */
  live: () => boolean;
  /** Readiness, with a short reason when not ready. */
  ready: () => { ok: boolean; reason?: string };
  registry: Registry;
  log: Logger;
}

/** /healthz, /readyz, /metrics on a plain node:http server (no framework needed for three routes). */
export function createHealthServer(src: HealthSources): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "text/plain; charset=utf-8") => {
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
    if (path === "/healthz") return src.live() ? send(200, "ok\n") : send(503, "not live\n");
    if (path === "/readyz") {
      const r = src.ready();
      return r.ok ? send(200, "ok\n") : send(503, `not ready: ${r.reason ?? "starting"}\n`);
    }
    if (path === "/metrics") {
      src.registry.metrics().then(
        (text) => send(200, text, src.registry.contentType),
        (err: unknown) => {
          src.log.error({ err: (err as Error).message }, "metrics collection failed");
          send(500, "metrics unavailable\n");
        },
      );
      return;
    }
    send(404, "not found\n");
  });
}

export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return (server.address() as { port: number }).port;
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { BridgeHealth } from "./consumer.js";

export interface HealthServer {
  url: string;
  close(): Promise<void>;
}

/** /healthz (liveness: the loop is turning), /readyz (Redis connected, no run of failures), /metrics. */
export async function startHealthServer(options: { host: string; port: number; registry: Registry; health: () => BridgeHealth }): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, body: string, type = "application/json"): void => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    if (req.method !== "GET") return send(405, JSON.stringify({ error: "method not allowed" }));
    if (path === "/healthz" || path === "/readyz") {
      const h = options.health();
      const ok = path === "/healthz" ? h.live : h.ready;
      return send(ok ? 200 : 503, JSON.stringify(h));
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => send(200, text, options.registry.contentType),
        () => send(500, JSON.stringify({ error: "metrics unavailable" })),
      );
      return;
    }
    send(404, JSON.stringify({ error: "not found" }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

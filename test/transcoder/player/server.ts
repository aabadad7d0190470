/** A loopback HTTP server for the player page: the page itself and the hls.js build from node_modules. */
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export interface PageServer {
  /** http://127.0.0.1:PORT/ — the player page. */
  url: string;
  close(): Promise<void>;
}

export async function startPageServer(): Promise<PageServer> {
  const files: Record<string, { body: Buffer; type: string }> = {
    "/": { body: await readFile(new URL("./page.html", import.meta.url)), type: "text/html; charset=utf-8" },
    "/hls.js": { body: await readFile(require.resolve("hls.js/dist/hls.min.js")), type: "text/javascript; charset=utf-8" },
  };
  const server: Server = createServer((req, res) => {
    const f = files[new URL(req.url ?? "/", "http://x").pathname];
    if (!f || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": f.type, "content-length": f.body.length, "cache-control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : f.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

import { createServer, connect, type Server, type Socket } from "node:net";

/**
 * A TCP pass-through in front of the apiserver, so a test can cut every connection server-side (as a load
 * balancer or an apiserver restart would) while the apiserver itself stays real.
 */
export class CuttableProxy {
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  private refusing = false;
  port = 0;
  cuts = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => {
      if (this.refusing) {
        client.destroy();
        return;
      }
      const upstream = connect(this.targetPort, this.targetHost);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Drops every open connection; with `refuseMs`, new connections are dropped too for that long. */
  cut(refuseMs = 0): void {
    this.cuts++;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (refuseMs > 0) {
      this.refusing = true;
      setTimeout(() => (this.refusing = false), refuseMs).unref();
    }
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

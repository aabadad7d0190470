import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A plain TCP forwarder in front of a real server (TLS passes through untouched), for fault injection: cut live
 * connections, refuse new ones, or freeze a connection that stays open but delivers nothing. It never speaks a
 * protocol itself; every byte is the real server's.
 */
export class FaultProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<{ client: Socket; upstream: Socket; frozen: boolean }>();
  private refusing = false;
  private refuseTimer: NodeJS.Timeout | undefined;
  port = 0;
  /** How many times open connections were cut. */
  cuts = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly protocol = "tcp:",
  ) {}

  /** A proxy to the host and port of a URL such as redis://127.0.0.1:6379 or https://127.0.0.1:6443. */
  static to(url: string): FaultProxy {
    const u = new URL(url);
    return new FaultProxy({ host: u.hostname, port: Number(u.port) }, u.protocol);
  }

  /** The target URL's scheme with the proxy's address. */
  get url(): string {
    return `${this.protocol}//127.0.0.1:${this.port}`;
  }

  /** `url` (its credential, path and query kept) with the proxy's address instead of the server's. */
  through(url: string): string {
    const u = new URL(url);
    u.host = `127.0.0.1:${this.port}`;
    return u.toString();
  }

  /** Open connections. */
  get open(): number {
    return this.pairs.size;
  }

  async start(): Promise<this> {
    this.server = createServer((client) => {
      if (this.refusing) return client.destroy();
      const upstream = connect(this.target.port, this.target.host);
      const pair = { client, upstream, frozen: false };
      this.pairs.add(pair);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.pairs.delete(pair);
      };
      client.on("data", (d) => pair.frozen || upstream.write(d));
      upstream.on("data", (d) => pair.frozen || client.write(d));
      client.on("error", close).on("close", close);
      upstream.on("error", close).on("close", close);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const addr = this.server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    return this;
  }

  /** Resets every open connection (a restarting server or a dropped load-balancer connection). */
  cutAll(): void {
    this.cuts++;
    for (const p of [...this.pairs]) {
      p.client.resetAndDestroy();
      p.upstream.destroy();
      this.pairs.delete(p);
    }
  }

  /** Cuts every open connection; with `refuseMs`, new connections are refused for that long too. */
  cut(refuseMs = 0): void {
    this.cutAll();
    if (refuseMs > 0) {
      this.refuse(true);
      this.refuseTimer = setTimeout(() => this.refuse(false), refuseMs).unref();
    }
  }

  /** The server is gone until restore(): open connections cut, new ones refused. */
  down(): void {
    this.refuse(true);
    this.cutAll();
  }

  restore(): void {
    this.refuse(false);
  }

  /** Open connections stay open but silently stop delivering: the silent-stop failure of a watch. */
  freezeAll(): void {
    for (const p of this.pairs) p.frozen = true;
  }

  /** While on, new connections are closed at once (server unreachable). */
  refuse(on: boolean): void {
    clearTimeout(this.refuseTimer);
    this.refusing = on;
  }

  async stop(): Promise<void> {
    this.refuse(true);
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

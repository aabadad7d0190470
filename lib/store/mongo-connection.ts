import { EventEmitter } from "node:events";
import { MongoClient, MongoNetworkError, MongoServerSelectionError, type Db, type MongoClientOptions } from "mongodb";
import type { Logger } from "../log.js";

export interface MongoConnectionOptions {
  /** How often the watchdog pings. */
  pingMs?: number;
  /** Pings failing for this long make the watchdog try a fresh client. */
  renewAfterMs?: number;
  client?: MongoClientOptions;
}

/** An object whose properties are read from `target()` each time they are used (methods bound to it), but `own`'s. */
function live<T extends object>(target: () => T, own: Record<string, unknown> = {}): T {
  return new Proxy({} as T, {
    get: (_, prop) => {
      if (typeof prop === "string" && prop in own) return own[prop];
      const t = target();
      const v: unknown = Reflect.get(t, prop, t);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}

/** A Mongo error that a fresh client may cure: the server unreachable as far as this client can tell. */
export function isMongoUnreachable(err: unknown): boolean {
  return err instanceof MongoServerSelectionError || err instanceof MongoNetworkError;
}

/**
 * One MongoClient, replaced when it stops recovering by itself. Seen here with driver 7.9 against FerretDB behind a
 * TCP proxy (the chaos suite's per-replica proxy, and what a load balancer in front of DocumentDB does): after a
 * server restart under concurrent load the client's server stayed Unknown for good. Every operation failed server
 * selection with the error of one long-closed connection ("connection 18 to ... closed"), no connection was open
 * any more, and a fresh client in the same process connected at once (scratch reproduction: 2 runs of 3). A leader
 * in that state holds its lease and admits nothing, so the watchdog pings, and after `renewAfterMs` of failures
 * connects a new client; only when that one answers is it swapped in (and "renewed" emitted, so holders of a Db from
 * the old client can take a new one) and the old one closed.
 */
export class MongoConnection extends EventEmitter<{ renewed: [] }> {
  private current: MongoClient;
  private timer: NodeJS.Timeout | undefined;
  private failingSince: number | undefined;
  private renewing: Promise<boolean> | undefined;
  private stopped = false;
  /** How many times the client was replaced. */
  renewals = 0;

  constructor(
    private readonly url: string,
    private readonly log: Logger,
    private readonly o: MongoConnectionOptions = {},
  ) {
    super();
    this.current = new MongoClient(url, o.client);
  }

  get client(): MongoClient {
    return this.current;
  }

  db(name: string): Db {
    return this.current.db(name);
  }

  /**
   * A Db that always acts through the current client, even after a renewal: `collection()` hands out collections
   * that look the client up on every call. For holders that keep their collections for good (the API's stores
   * take them in their constructors); the operator instead restarts its Operator on "renewed".
   */
  liveDb(name: string): Db {
    const db = () => this.current.db(name);
    return live(db, { collection: (collection: string) => live(() => db().collection(collection)) });
  }

  /** Connects (rejecting if the server cannot be reached) and starts the watchdog. */
  async connect(): Promise<void> {
    await this.current.connect();
    this.timer = setInterval(() => void this.check(), this.o.pingMs ?? 5_000);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.renewing || this.stopped) return;
    try {
      await this.current.db("admin").command({ ping: 1 });
      this.failingSince = undefined;
    } catch (err) {
      if (!isMongoUnreachable(err)) return;
      this.failingSince ??= Date.now();
      if (Date.now() - this.failingSince >= (this.o.renewAfterMs ?? 30_000)) await this.renew();
    }
  }

  /**
   * Tries a fresh client now; resolves true if it answered and replaced the old one. Concurrent calls share one
   * attempt. While the server is really down the attempt fails and the old client stays.
   */
  renew(): Promise<boolean> {
    return (this.renewing ??= (async () => {
      const fresh = new MongoClient(this.url, this.o.client);
      try {
        await fresh.connect();
        await fresh.db("admin").command({ ping: 1 });
      } catch (err) {
        await fresh.close(true).catch(() => undefined);
        this.log.warn({ err: (err as Error).message }, "MongoDB still unreachable with a fresh client; keeping the old one");
        return false;
      }
      if (this.stopped) {
        await fresh.close(true).catch(() => undefined);
        return false;
      }
      const old = this.current;
      this.current = fresh;
      this.failingSince = undefined;
      this.renewals++;
      this.log.warn({ renewals: this.renewals }, "replaced a MongoDB client that had stopped recovering");
      this.emit("renewed");
      await old.close(true).catch(() => undefined);
      return true;
    })().finally(() => (this.renewing = undefined)));
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.renewing;
    await this.current.close();
  }
}

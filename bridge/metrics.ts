import { Counter, Gauge, Histogram, type Registry } from "prom-client";

/** The bridge's metrics. Stream gauges (lag, pending, dead letters) are read from Redis at scrape time. */
export class BridgeMetrics {
  readonly jobs: Counter<"result">;
  readonly failures: Counter<"kind">;
  readonly deadLettered: Counter<"reason">;
  readonly claimed: Counter;
  readonly legacy: Counter<"result">;
  readonly createSeconds: Histogram;

  constructor(registry: Registry, streamGauges: () => Promise<{ lag: number; pending: number; deadLetters: number; length: number }>) {
    const registers = [registry];
    this.jobs = new Counter({ name: "tj_bridge_jobs_total", help: "Upload entries whose TranscodeJob now exists, by result (created, exists)", labelNames: ["result"], registers });
    this.failures = new Counter({ name: "tj_bridge_failures_total", help: "Failed attempts to turn an entry into a job, by kind (transient, terminal, malformed)", labelNames: ["kind"], registers });
    this.deadLettered = new Counter({ name: "tj_bridge_dead_lettered_total", help: "Entries moved to the dead-letter stream, by reason", labelNames: ["reason"], registers });
    this.claimed = new Counter({ name: "tj_bridge_claimed_total", help: "Pending entries claimed from other (dead or slow) consumers", registers });
    this.legacy = new Counter({ name: "tj_bridge_legacy_items_total", help: "Items drained from the original service's list, by result", labelNames: ["result"], registers });
    this.createSeconds = new Histogram({ name: "tj_bridge_create_seconds", help: "Time to create one TranscodeJob", buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers });
    let last: Promise<{ lag: number; pending: number; deadLetters: number; length: number }> | undefined;
    // One Redis round trip per scrape serves all four gauges.
    const read = async (): Promise<{ lag: number; pending: number; deadLetters: number; length: number }> => {
      last ??= streamGauges().finally(() => setTimeout(() => (last = undefined), 100).unref());
      return last;
    };
    const gauge = (name: string, help: string, pick: (g: Awaited<ReturnType<typeof read>>) => number): void => {
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          try {
            this.set(pick(await read()));
          } catch {
            // Redis unreachable during a scrape: leave the last value; /readyz reports the outage.
          }
        },
      });
    };
    gauge("tj_bridge_stream_lag", "Entries in the upload stream not yet delivered to the bridge's consumer group", (g) => g.lag);
    gauge("tj_bridge_pending", "Entries delivered but not yet acknowledged (in progress or waiting for a retry)", (g) => g.pending);
    gauge("tj_bridge_dead_letters", "Entries in the dead-letter stream", (g) => g.deadLetters);
    gauge("tj_bridge_stream_length", "Entries kept in the upload stream", (g) => g.length);
  }
}

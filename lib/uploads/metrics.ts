import { Counter, type Registry } from "prom-client";

/** Outcome of one upload event record; the label set is closed so the metric cannot explode. */
export type IngestOutcome = "appended" | "duplicate" | "ignored" | "rejected" | "failed";

/** The ingest core counts through this port: prom-client in long-running processes, a tally in the lambda. */
export interface IngestMetrics {
  record(outcome: IngestOutcome, reason: string): void;
}

export function promIngestMetrics(registry: Registry): IngestMetrics {
  const counter = new Counter({
    name: "tj_upload_events_total",
    help: "S3 upload event records seen, by outcome (appended, duplicate, ignored, rejected, failed) and reason",
    labelNames: ["outcome", "reason"] as const,
    registers: [registry],
  });
  return { record: (outcome, reason) => counter.inc({ outcome, reason }) };
}

/** Counts in memory; the lambda reports them as one CloudWatch Embedded Metric Format line per invocation. */
export class TallyIngestMetrics implements IngestMetrics {
  readonly counts = new Map<string, number>();
  record(outcome: IngestOutcome, reason: string): void {
    const k = `${outcome}:${reason}`;
    this.counts.set(k, (this.counts.get(k) ?? 0) + 1);
  }
  total(outcome: IngestOutcome): number {
    let n = 0;
    for (const [k, v] of this.counts) if (k.startsWith(`${outcome}:`)) n += v;
    return n;
  }
}

import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface OperatorMetrics {
  reconciles: Counter<"result">;
  errors: Counter<"kind">;
  duration: Histogram<"result">;
  slotsInUse: Gauge;
  echoesSkipped: Counter;
}

interface Sources {
  phases: () => Map<string, number>;
}

/** One set per registry: a replica that leads again starts a new Operator in the same process and registry. */
const perRegistry = new WeakMap<Registry, { metrics: OperatorMetrics; sources: Sources }>();

/**
 * The reconciler's own metrics (the workqueue exports its depth and latencies as workqueue_*); jobs by phase
 * are read at scrape time through `collect`, from the newest Operator's informer.
 */
export function operatorMetrics(registry: Registry, sources: Sources): OperatorMetrics {
  const known = perRegistry.get(registry);
  if (known) {
    // prom-client refuses a second metric of the same name: the new term takes over the existing ones.
    known.sources = sources;
    return known.metrics;
  }
  const entry = { sources, metrics: undefined as unknown as OperatorMetrics };
  const registers = [registry];
  new Gauge({
    name: "transcode_operator_jobs",
    help: "TranscodeJobs in the informer cache by phase",
    labelNames: ["phase"],
    registers,
    collect() {
      this.reset();
      for (const [phase, n] of entry.sources.phases()) this.set({ phase }, n);
    },
  });
  entry.metrics = {
    reconciles: new Counter({ name: "transcode_operator_reconcile_total", help: "Reconciles by result", labelNames: ["result"], registers }),
    errors: new Counter({ name: "transcode_operator_reconcile_errors_total", help: "Failed reconciles by error class", labelNames: ["kind"], registers }),
    duration: new Histogram({
      name: "transcode_operator_reconcile_duration_seconds",
      help: "Time of one reconcile (observe, decide, act)",
      labelNames: ["result"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    slotsInUse: new Gauge({ name: "transcode_operator_slots_in_use", help: "Admission slots held (last observed)", registers }),
    echoesSkipped: new Counter({
      name: "transcode_operator_watch_echoes_skipped_total",
      help: "Watch events that only echoed the operator's own write, so were not reconciled again",
      registers,
    }),
  };
  perRegistry.set(registry, entry);
  return entry.metrics;
}

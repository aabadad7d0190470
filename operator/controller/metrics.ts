import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export interface OperatorMetrics {
  reconciles: Counter<"result">;
  errors: Counter<"kind">;
  duration: Histogram<"result">;
  slotsInUse: Gauge;
  echoesSkipped: Counter;
  /** Queued to admitted, by owner class (api: a user's job; kubectl: made without an owner). */
  admissionWait: Histogram<"owner_class">;
  admitted: Counter<"owner_class">;
}

interface Sources {
  phases: () => Map<string, number>;
  /** The owners holding the most slots (already cut to the top N), most first. */
  topOwners?: () => [string, number][];
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
  new Gauge({
    name: "transcode_operator_owner_running",
    help: "Slots held per owner, for the top N owners only (OWNER_METRICS_TOP_N)",
    labelNames: ["owner"],
    registers,
    collect() {
      this.reset();
      for (const [owner, n] of entry.sources.topOwners?.() ?? []) this.set({ owner }, n);
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
    admissionWait: new Histogram({
      name: "transcode_operator_admission_wait_seconds",
      help: "Time from queued (created, or a retry's backoff over) to a slot claimed, by owner class",
      labelNames: ["owner_class"],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400, 43_200],
      registers,
    }),
    admitted: new Counter({ name: "transcode_operator_admitted_total", help: "Slots claimed, by owner class", labelNames: ["owner_class"], registers }),
    echoesSkipped: new Counter({
      name: "transcode_operator_watch_echoes_skipped_total",
      help: "Watch events that only echoed the operator's own write, so were not reconciled again",
      registers,
    }),
  };
  perRegistry.set(registry, entry);
  return entry.metrics;
}

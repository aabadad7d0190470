import { Counter, Gauge, type Registry } from "prom-client";

export interface InformerMetrics {
  restarts: Counter<"name" | "reason">;
  events: Counter<"name" | "type">;
  relists: Counter<"name">;
  lastContact: Gauge<"name">;
}

/** Registered once per registry; several informers share the metrics through the `name` label. */
export function informerMetrics(registry: Registry): InformerMetrics {
  const registers = [registry];
  const get = <M>(metric: string, make: () => M): M => (registry.getSingleMetric(metric) as M | undefined) ?? make();
  return {
    restarts: get(
      "informer_watch_restarts_total",
      () => new Counter({ name: "informer_watch_restarts_total", help: "Watch connections restarted, by reason", labelNames: ["name", "reason"], registers }),
    ),
    events: get(
      "informer_watch_events_total",
      () => new Counter({ name: "informer_watch_events_total", help: "Watch events received, by type", labelNames: ["name", "type"], registers }),
    ),
    relists: get("informer_relists_total", () => new Counter({ name: "informer_relists_total", help: "Full lists (start, 410 Gone)", labelNames: ["name"], registers })),
    lastContact: get(
      "informer_last_contact_timestamp_seconds",
      () => new Gauge({ name: "informer_last_contact_timestamp_seconds", help: "Last time the apiserver sent anything to this informer", labelNames: ["name"], registers }),
    ),
  };
}

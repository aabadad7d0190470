/**
 * Formats a run time for status.duration the way kubectl prints Job durations (k8s.io/apimachinery's
 * duration.HumanDuration): "45s", "3m12s", "2h5m", "3d4h", "400d".
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60 * 2) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60 * 3) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / 24 / 365);
  const d = Math.floor(h / 24) - y * 365;
  return y < 8 && d > 0 ? `${y}y${d}d` : `${y}y`;
}

/** status.duration for a job: from startedAt to completedAt, or to `now` while it runs. */
export function jobDuration(startedAt: string | undefined, completedAt: string | undefined, now: Date): string | undefined {
  if (startedAt === undefined) return undefined;
  const start = Date.parse(startedAt);
  const end = completedAt === undefined ? now.getTime() : Date.parse(completedAt);
  if (Number.isNaN(start) || Number.isNaN(end)) return undefined;
  return formatDuration(end - start);
}

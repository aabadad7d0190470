/**
 * kube-score's findings on the rendered chart that are accepted, each with its reason (the README's table is
 * generated from this list; test/chart/render.test.ts fails on any critical finding not listed here).
 */
export interface AcceptedFinding {
  /** kube-score's check id. */
  check: string;
  /** Which objects, in words, and under which values. */
  where: string;
  why: string;
  /** The objects it may be reported on: `Kind/name-suffix` of the rendered chart (release name stripped). */
  objects: readonly string[];
  /** Accepted only with the default values (the full values file must not show it). */
  defaultsOnly?: boolean;
}

export const KUBE_SCORE_ACCEPTED: readonly AcceptedFinding[] = [];

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

const DEPLOYMENTS = ["Deployment/operator", "Deployment/bridge", "Deployment/api", "Deployment/upload-webhook"];

export const KUBE_SCORE_ACCEPTED: readonly AcceptedFinding[] = [
  {
    check: "container-image-pull-policy",
    where: "every Deployment (`image.pullPolicy: IfNotPresent`)",
    why:
      "The image is named by an immutable tag (ECR repositories with immutable tags, the chart's appVersion) or a digest (`image.digest`), so a node's copy is always the right one; `Always` would make every pod start, a failover of the operator included, depend on the registry being reachable. `image.pullPolicy: Always` is one value away.",
    objects: DEPLOYMENTS,
  },
  {
    check: "pod-networkpolicy",
    where: "every Deployment, default values only (`networkPolicy.enabled: false`)",
    why:
      "Egress (the apiserver, Redis, MongoDB, AWS endpoints) is different in every installation and a NetworkPolicy needs a CNI that enforces it: the policies are one switch away (`networkPolicy.*`, on in the full values, where kube-score finds none missing).",
    objects: DEPLOYMENTS,
    defaultsOnly: true,
  },
  {
    check: "pod-probes-identical",
    where: "the upload webhook (`uploadWebhook.enabled`)",
    why:
      "The receiver (lambda/local/receiver.ts) serves only /healthz, which answers from the process itself and never from Redis, so sharing it cannot get the pod restarted for a dependency's outage; a separate readiness check needs a /readyz in the receiver first.",
    objects: ["Deployment/upload-webhook"],
  },
];

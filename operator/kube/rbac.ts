/**
 * The least the operator needs from the apiserver, as typed objects the Helm chart renders (never YAML written
 * by hand). Finalizers are added/removed with a JSON patch on the main resource, hence `patch` there; the
 * spec cannot be told apart from metadata by RBAC, so the reconciler simply never patches spec.
 */
import type { V1ClusterRole, V1PolicyRule, V1Role } from "@kubernetes/client-node";
import { GROUP, PLURAL } from "../../crds/index.js";

export const OPERATOR_ROLE_NAME = "transcode-operator";
export const LEADER_ELECTION_ROLE_NAME = "transcode-operator-leader-election";

/** Cluster-wide: TranscodeJobs in every namespace, their status, and Events about them. */
export const operatorRules: V1PolicyRule[] = [
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ["get", "list", "watch", "patch", "create"] },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ["get", "patch", "update"] },
  { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
];

/** In the operator's own namespace only: the election Lease. */
export const leaderElectionRules: V1PolicyRule[] = [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "create", "update", "watch"] }];

export function operatorClusterRole(name = OPERATOR_ROLE_NAME): V1ClusterRole {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules: operatorRules };
}

export function leaderElectionRole(namespace: string, name = LEADER_ELECTION_ROLE_NAME): V1Role {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name, namespace }, rules: leaderElectionRules };
}

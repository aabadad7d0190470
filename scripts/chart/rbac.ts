/**
 * The least each component needs from the apiserver, as typed rules. The operator's are operator/kube/rbac.ts (the one
 * source its own tests bind); the API's and the bridge's are what their code calls, listed here because api/ and
 * bridge/ keep no rules of their own. The upload webhook talks only to Redis: no rules, no token.
 */
import type { V1PolicyRule } from "@kubernetes/client-node";
import { GROUP, PLURAL } from "../../crds/index.js";
import { leaderElectionRules, operatorRules } from "../../operator/kube/index.js";

/** bridge/job-creator.ts: create a TranscodeJob (AlreadyExists is success). */
export const bridgeRules: V1PolicyRule[] = [{ apiGroups: [GROUP], resources: [PLURAL], verbs: ["create"] }];

/**
 * api/jobs/cluster.ts: create, get, list by owner label (also the readiness ping), delete (cancel); api/jobs/cache.ts:
 * list and watch (the API's job cache).
 */
export const apiRules: V1PolicyRule[] = [{ apiGroups: [GROUP], resources: [PLURAL], verbs: ["create", "get", "list", "watch", "delete"] }];

/** Rule sets by the name the chart's templates include them under (`tcp.rules.<name>`). */
export const RULES = {
  operator: operatorRules,
  leaderElection: leaderElectionRules,
  api: apiRules,
  bridge: bridgeRules,
} as const satisfies Record<string, V1PolicyRule[]>;

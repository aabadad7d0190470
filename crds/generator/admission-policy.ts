import { CRD_NAME, GROUP, PLURAL, VERSION } from "../constants.js";
import { CEL_VARIABLES, TENANCY_RULES, type TenancyPolicy } from "../tenancy.js";

/**
 * The tenancy rule in the cluster: a ValidatingAdmissionPolicy generated from crds/tenancy.ts (the same table the
 * TypeScript check runs), so a kubectl user is refused at apply time with the field named. The policy is static
 * and ships with the CRD; its parameters (the buckets and prefixes of one deployment) are a ConfigMap, and a
 * binding ties the two to the namespaces whose jobs that deployment runs. A binding whose ConfigMap is missing
 * refuses every job (parameterNotFoundAction: Deny), and a CEL error refuses too (failurePolicy: Fail).
 */
export const TENANCY_POLICY_NAME = `tenancy.${CRD_NAME}`;

const LABELS = { "app.kubernetes.io/name": "transcode-control-plane", "app.kubernetes.io/component": "tenancy" };

/** Who may create a job with spec.owner (on a user's behalf): the data key of the binding's parameters. */
const DELEGATES_KEY = "ownerDelegates";

// request.operation guards: see TENANCY_RULES' onCreateOnly.
const onCreate = (expression: string) => `request.operation != 'CREATE' || (${expression})`;
const withField = (field: string, messageExpression: string) => `${JSON.stringify(`${field}: `)} + (${messageExpression})`;

export function tenancyPolicyManifest() {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name: TENANCY_POLICY_NAME, labels: LABELS },
    spec: {
      failurePolicy: "Fail",
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      matchConstraints: {
        resourceRules: [{ apiGroups: [GROUP], apiVersions: [VERSION], operations: ["CREATE", "UPDATE"], resources: [PLURAL] }],
      },
      variables: CEL_VARIABLES.map((v) => ({ ...v })),
      validations: [
        ...TENANCY_RULES.map((r) => ({
          expression: r.onCreateOnly ? onCreate(r.cel.expression) : r.cel.expression,
          messageExpression: withField(r.field, r.cel.messageExpression),
          reason: "Invalid",
        })),
        {
          // Not part of the TypeScript rule: only the apiserver knows who sends the request.
          expression: onCreate(`!variables.owned || !('${DELEGATES_KEY}' in params.data) || request.userInfo.username in params.data.${DELEGATES_KEY}.split(',')`),
          messageExpression: withField(
            "spec.owner",
            `'only the control plane (' + params.data.${DELEGATES_KEY}.split(',').join(', ') + ') makes jobs on a user\\'s behalf; leave spec.owner unset'`,
          ),
          reason: "Invalid",
        },
      ],
    },
  };
}

export interface TenancyBindingOptions {
  /** Names the binding and its ConfigMap: one per deployment. */
  name: string;
  policy: TenancyPolicy;
  /** The namespaces whose TranscodeJobs the deployment runs (the operator's watch), or every namespace. */
  namespaces: readonly string[] | "all";
  /** Where the ConfigMap lives: a namespace job creators cannot write to (whoever edits it widens the policy). */
  paramNamespace: string;
  /**
   * The usernames that may create a job with spec.owner (the API's and the bridge's service accounts). Unset:
   * anyone allowed to create TranscodeJobs may, as far as the policy is concerned.
   */
  ownerDelegates?: readonly string[] | undefined;
}

/** The parameters of the policy as ConfigMap data: lists comma-separated (no bucket name or prefix holds a comma). */
export function tenancyParams(p: TenancyPolicy, ownerDelegates?: readonly string[]): Record<string, string> {
  return {
    uploadsBuckets: p.uploadsBuckets.join(","),
    uploadsPrefix: p.uploadsPrefix,
    outputsBucket: p.outputsBucket,
    outputsPrefix: p.outputsPrefix,
    namespacePrefix: p.namespacePrefix,
    ...(ownerDelegates?.length ? { [DELEGATES_KEY]: ownerDelegates.join(",") } : {}),
  };
}

/** One deployment's part: the ConfigMap with its parameters and the binding of the policy to its namespaces. */
export function tenancyBindingManifests(o: TenancyBindingOptions) {
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: o.name, namespace: o.paramNamespace, labels: LABELS },
    data: tenancyParams(o.policy, o.ownerDelegates),
  };
  const binding = {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name: o.name, labels: LABELS },
    spec: {
      policyName: TENANCY_POLICY_NAME,
      validationActions: ["Deny"],
      paramRef: { name: o.name, namespace: o.paramNamespace, parameterNotFoundAction: "Deny" },
      matchResources:
        o.namespaces === "all"
          ? {}
          : { namespaceSelector: { matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: [...o.namespaces] }] } },
    },
  };
  return { configMap, binding };
}

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readSecret } from "../secrets.js";
import type { ReleaseSecretRef } from "../types.js";
import type { ChartValues } from "../../scripts/chart/values.js";
import { SECRET_SETTINGS_OF, type ControlPlaneProcess, type ControlPlaneValues, type SecretSetting } from "./release-values.js";

/** Values without the processes' `existingSecret`: the release sets it to the Secret it creates. */
export type ReleaseValues = Omit<ControlPlaneValues, ControlPlaneProcess> & { [P in ControlPlaneProcess]: Omit<ControlPlaneValues[P], "existingSecret"> };

export interface ControlPlaneReleaseArgs {
  /** Path of the chart directory (charts/transcode-control-plane) or a packaged .tgz. */
  chartPath: pulumi.Input<string>;
  namespace: pulumi.Input<string>;
  createNamespace?: boolean;
  /** Typed values, wired from the other components' outputs (see controlPlaneValues). */
  values: pulumi.Input<ReleaseValues>;
  /** Secret settings by reference: each process's Secret gets exactly the keys SECRET_SETTINGS_OF lists. */
  secrets: { [P in ControlPlaneProcess]: { [K in (typeof SECRET_SETTINGS_OF)[P][number]]: ReleaseSecretRef } };
  /** Wait for the Deployments to become ready. Default true (false where no kubelet runs, as in tests). */
  wait?: boolean;
  timeoutSeconds?: number;
}

/**
 * The Helm release of the control plane (operator, bridge, API) and its three Secrets. The Secrets' values are read
 * from Secrets Manager/SSM by reference and stay Pulumi secrets; the Helm values name the Secrets, never their data.
 * Give it the ControlPlaneCluster's provider: `{ providers: { kubernetes: cluster.provider } }`.
 */
export class ControlPlaneRelease extends pulumi.ComponentResource {
  readonly releaseName: pulumi.Output<string>;
  readonly releaseStatus: pulumi.Output<string>;
  readonly secretNames: Record<ControlPlaneProcess, pulumi.Output<string>>;

  constructor(name: string, args: ControlPlaneReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("transcode:infra:ControlPlaneRelease", name, {}, opts);
    const opt = { parent: this };
    const namespace = args.createNamespace
      ? new k8s.core.v1.Namespace(name, { metadata: { name: args.namespace } }, opt).metadata.name
      : pulumi.output(args.namespace);

    const secretNames = {} as Record<ControlPlaneProcess, pulumi.Output<string>>;
    const secrets: k8s.core.v1.Secret[] = [];
    for (const proc of Object.keys(SECRET_SETTINGS_OF) as ControlPlaneProcess[]) {
      const refs = args.secrets[proc] as Partial<Record<SecretSetting, ReleaseSecretRef>>;
      const stringData = Object.fromEntries((SECRET_SETTINGS_OF[proc] as readonly SecretSetting[]).map((key) => [key, readSecret(refs[key]!, this)]));
      const secret = new k8s.core.v1.Secret(
        `${name}-${proc}`,
        {
          metadata: {
            name: `${name}-${proc}`,
            namespace,
            labels: { "app.kubernetes.io/part-of": "transcode-control-plane" },
            // A Secret has no dependents; the provider's default foreground deletion would wait on the garbage
            // collector's finalizer, which never comes on an apiserver without a controller-manager.
            annotations: { "pulumi.com/deletionPropagationPolicy": "background" },
          },
          type: "Opaque",
          stringData,
        },
        { parent: this, additionalSecretOutputs: ["stringData", "data"] },
      );
      secretNames[proc] = secret.metadata.name;
      secrets.push(secret);
    }

    const values = pulumi.all([args.values, secretNames]).apply(([v, names]): ChartValues => {
      const chartValues: ControlPlaneValues = {
        ...v,
        operator: { ...v.operator, existingSecret: names.operator },
        bridge: { ...v.bridge, existingSecret: names.bridge },
        api: { ...v.api, existingSecret: names.api },
      };
      return chartValues;
    });
    const release = new k8s.helm.v3.Release(
      name,
      {
        name,
        chart: args.chartPath,
        namespace,
        values,
        atomic: args.wait ?? true,
        skipAwait: !(args.wait ?? true),
        timeout: args.timeoutSeconds ?? 600,
        cleanupOnFail: true,
      },
      { parent: this, dependsOn: secrets },
    );
    this.releaseName = release.name;
    this.releaseStatus = release.status.status;
    this.secretNames = secretNames;
    this.registerOutputs({ releaseName: this.releaseName, releaseStatus: this.releaseStatus, secretNames });
  }
}

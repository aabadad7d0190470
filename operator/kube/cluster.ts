import { randomBytes } from "node:crypto";
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from "@kubernetes/client-node";
import { TerminalError, TransientError } from "../../lib/errors/index.js";
import { mapKubeError, statusOf, statusReason, type KubeObject } from "../../lib/kube/index.js";
import type { Cluster, CreateResult, EventInput, ListResult, PatchStatusOptions, StatusPatch } from "./types.js";

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export interface KubeClusterOptions {
  /** Default finalizer for add/removeFinalizer. */
  finalizer?: string;
  /** Shown as the Event's source component. */
  component?: string;
  /** Shown as the Event's reporting instance (the pod name). */
  instance?: string;
  /** How many times a finalizer patch is tried when its `test` op loses a race; default 10. */
  patchRetries?: number;
}

type JsonPatchOp = { op: "test" | "add" | "remove" | "replace"; path: string; value?: unknown };

const json = (strategy: string) => setHeaderOptions("Content-Type", strategy);

/**
 * The apiserver adapter for one custom resource kind (the `Cluster` port). Status goes through the status
 * subresource only, so a status write can never change spec or metadata and vice versa.
 */
export class KubeCluster<T extends KubeObject, S = unknown> implements Cluster<T, S> {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly apiVersion: string;

  constructor(
    kubeConfig: KubeConfig,
    private readonly resource: ResourceRef,
    private readonly options: KubeClusterOptions = {},
  ) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apiVersion = `${resource.group}/${resource.version}`;
  }

  private ref(namespace: string, name: string) {
    const { group, version, plural } = this.resource;
    return { group, version, plural, namespace, name };
  }

  async get(namespace: string, name: string): Promise<T | undefined> {
    return this.call(`get ${namespace}/${name}`, async () => (await this.custom.getNamespacedCustomObject(this.ref(namespace, name))) as T);
  }

  async list(namespace?: string, labelSelector?: string, pageSize = 500): Promise<ListResult<T>> {
    const { group, version, plural } = this.resource;
    const items: T[] = [];
    let cont: string | undefined;
    let resourceVersion = "";
    do {
      const params = { group, version, plural, labelSelector, limit: pageSize, _continue: cont };
      const res = (await this.call(`list ${plural}`, () =>
        namespace ? this.custom.listNamespacedCustomObject({ ...params, namespace }) : this.custom.listClusterCustomObject(params),
      )) as { items: T[]; metadata?: { resourceVersion?: string; continue?: string } } | undefined;
      if (!res) return { items: [], resourceVersion: "" };
      items.push(...res.items);
      // Custom objects come back as raw JSON, so the token is `continue` (client-node's typed lists say `_continue`).
      cont = res.metadata?.continue || undefined;
      resourceVersion = res.metadata?.resourceVersion ?? resourceVersion;
    } while (cont);
    return { items, resourceVersion };
  }

  async patchStatus(namespace: string, name: string, status: StatusPatch<S>, options: PatchStatusOptions = {}): Promise<T | undefined> {
    // A resourceVersion in a merge patch is an optimistic-concurrency precondition: 409 if the object moved on.
    const body = options.resourceVersion ? { metadata: { resourceVersion: options.resourceVersion }, status } : { status };
    return this.call(
      `patch status of ${namespace}/${name}`,
      async () => (await this.custom.patchNamespacedCustomObjectStatus({ ...this.ref(namespace, name), body }, json(PatchStrategy.MergePatch))) as T,
    );
  }

  async addFinalizer(namespace: string, name: string, finalizer = this.defaultFinalizer()): Promise<T | undefined> {
    return this.patchFinalizers(namespace, name, (current) => {
      if (current.includes(finalizer)) return undefined;
      return current.length === 0
        ? // No array to test against: pin the whole object's version instead (409 if it changed).
          [
            { op: "test", path: "/metadata/finalizers", value: undefined },
            { op: "add", path: "/metadata/finalizers", value: [finalizer] },
          ]
        : [
            { op: "test", path: "/metadata/finalizers", value: current },
            { op: "add", path: "/metadata/finalizers/-", value: finalizer },
          ];
    });
  }

  async removeFinalizer(namespace: string, name: string, finalizer = this.defaultFinalizer()): Promise<T | undefined> {
    return this.patchFinalizers(namespace, name, (current) => {
      const i = current.indexOf(finalizer);
      if (i < 0) return undefined;
      return [
        { op: "test", path: `/metadata/finalizers/${i}`, value: finalizer },
        { op: "remove", path: `/metadata/finalizers/${i}` },
      ];
    });
  }

  async emitEvent(regarding: T, event: EventInput): Promise<void> {
    const meta = regarding.metadata ?? {};
    const namespace = meta.namespace ?? "default";
    const now = new Date();
    const body = {
      metadata: { name: `${meta.name ?? "object"}.${randomBytes(8).toString("hex")}`, namespace },
      involvedObject: {
        apiVersion: regarding.apiVersion ?? this.apiVersion,
        kind: regarding.kind ?? this.resource.kind,
        name: meta.name,
        namespace,
        uid: meta.uid,
        resourceVersion: meta.resourceVersion,
      },
      reason: event.reason,
      message: event.message.slice(0, 1024),
      type: event.type,
      action: event.action ?? event.reason,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.options.component ?? "transcode-operator" },
      reportingComponent: this.options.component ?? "transcode-operator",
      reportingInstance: this.options.instance ?? "",
    };
    await this.call(`event ${event.reason} for ${namespace}/${meta.name}`, () => this.core.createNamespacedEvent({ namespace, body }));
  }

  async create(object: T): Promise<CreateResult<T>> {
    const namespace = object.metadata?.namespace ?? "default";
    const name = object.metadata?.name ?? "";
    const body = { apiVersion: this.apiVersion, kind: this.resource.kind, ...object };
    const { group, version, plural } = this.resource;
    try {
      const created = (await this.custom.createNamespacedCustomObject({ group, version, plural, namespace, body })) as T;
      return { created: true, object: created };
    } catch (err) {
      if (statusOf(err) === 409 && statusReason(err) === "AlreadyExists") {
        const existing = await this.get(namespace, name);
        if (existing) return { created: false, object: existing };
        throw new TransientError(`create ${namespace}/${name}: it existed, then vanished; retry`, undefined, { cause: err });
      }
      throw mapKubeError(err, `create ${namespace}/${name}`);
    }
  }

  private defaultFinalizer(): string {
    if (!this.options.finalizer) throw new TerminalError("no finalizer given and no default configured", "NoFinalizer");
    return this.options.finalizer;
  }

  /**
   * Read, compute a guarded JSON patch, apply; when the guard (`test`) fails because someone else changed the
   * finalizers in between, read again and retry. `undefined` ops means nothing to do.
   */
  private async patchFinalizers(namespace: string, name: string, plan: (current: string[]) => JsonPatchOp[] | undefined): Promise<T | undefined> {
    const what = `patch finalizers of ${namespace}/${name}`;
    const tries = this.options.patchRetries ?? 10;
    // The apiserver answers a failed `test` op with a bare 422 that looks like any invalid patch; we tell them
    // apart by reading again: if the object moved on, we lost a race and retry, otherwise the 422 is real.
    let rejected: { rv: string | undefined; err: unknown } | undefined;
    for (let attempt = 0; ; attempt++) {
      const obj = await this.get(namespace, name);
      if (!obj) return undefined;
      if (rejected && rejected.rv === obj.metadata?.resourceVersion) throw mapKubeError(rejected.err, what);
      rejected = undefined;
      const ops = plan(obj.metadata?.finalizers ?? []);
      if (!ops) return obj;
      // A `test` with value undefined means "the path is absent"; JSON patch has no such op, so pin resourceVersion.
      const body = ops.map((op) =>
        op.op === "test" && op.value === undefined ? { op: "test", path: "/metadata/resourceVersion", value: obj.metadata?.resourceVersion } : op,
      );
      try {
        return (await this.custom.patchNamespacedCustomObject({ ...this.ref(namespace, name), body }, json(PatchStrategy.JsonPatch))) as T;
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) return undefined;
        const maybeRaced = status === 409 || status === 422;
        if (!maybeRaced) throw mapKubeError(err, what);
        if (attempt + 1 >= tries) throw new TransientError(`${what}: kept losing races with other writers`, undefined, { cause: err });
        if (status === 422) rejected = { rv: obj.metadata?.resourceVersion, err };
        // Spread contending writers apart a little so each round has a winner quickly.
        await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
      }
    }
  }

  /** Runs an API call with the shared error mapping; 404 becomes undefined. */
  private async call<R>(what: string, fn: () => Promise<R>): Promise<R | undefined> {
    try {
      return await fn();
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw mapKubeError(err, what);
    }
  }
}

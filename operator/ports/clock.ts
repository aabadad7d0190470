/** Wall-clock milliseconds; operator/kube's Clock satisfies it. Injected so reconcile tests run on fixed time. */
export interface Clock {
  now(): number;
}

/**
 * A slot claim carried an epoch older than one already seen: another operator became leader since. The caller
 * must stop admitting (it is no longer the leader); retrying with the same epoch can never succeed.
 */
export class FencedError extends Error {
  override readonly name = "FencedError";
  constructor(
    readonly epoch: number,
    message = `slot claim with stale leader epoch ${epoch}`,
  ) {
    super(message);
  }
}

/**
 * Coalesces describe requests from concurrent reconciles into one backend call per tick, at most `maxBatch`
 * ids a call (DescribeTasks accepts 100). Each caller gets the answers for its own ids.
 */
export class DescribeBatcher<R> {
  private pending = new Map<string, { resolve: (r: R | undefined) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;

  constructor(
    private readonly fetchBatch: (ids: string[]) => Promise<Map<string, R>>,
    private readonly maxBatch = 100,
    private readonly windowMs = 5,
  ) {}

  get(ids: string[]): Promise<(R | undefined)[]> {
    const promises = ids.map(
      (id) =>
        new Promise<R | undefined>((resolve, reject) => {
          const list = this.pending.get(id) ?? [];
          list.push({ resolve, reject });
          this.pending.set(id, list);
        }),
    );
    if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => void this.flush(), this.windowMs);
    }
    return Promise.all(promises);
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()];
    for (let i = 0; i < ids.length; i += this.maxBatch) {
      const chunk = ids.slice(i, i + this.maxBatch);
      try {
        const found = await this.fetchBatch(chunk);
        for (const id of chunk) for (const w of batch.get(id) ?? []) w.resolve(found.get(id));
      } catch (err) {
        for (const id of chunk) for (const w of batch.get(id) ?? []) w.reject(err);
      }
    }
  }
}

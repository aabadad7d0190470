import assert from "node:assert/strict";
import fc from "fast-check";
import { checkSpecUpdate, parseSpec } from "../../crds/index.js";
import { spec, update } from "./arbitraries.js";
import { applyCrd } from "../../lib/kube/index.js";
import { createNamespace, customObjects, deleteNamespace, kubeConfig, ref, rejection, tj } from "./kube.js";

describe("crds: zod and the apiserver agree (property-based, server-side dry-run)", function () {
  this.timeout(180_000);
  let ns = "";
  before(async () => {
    await applyCrd(kubeConfig());
    ns = await createNamespace("crds-prop");
  });
  after(async () => {
    if (ns) await deleteNamespace(ns);
  });

  it("accept and reject the same specs, and default accepted ones identically", async () => {
    const api = customObjects();
    const seen = { accepted: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(spec, async (s) => {
        const body = tj("prop", s);
        const zod = parseSpec(s);
        const request = api.createNamespacedCustomObject({ ...ref(ns), body, dryRun: "All", fieldValidation: "Strict" }) as Promise<{
          spec: unknown;
        }>;
        if (zod.ok) {
          const created = await request.catch(async (e: unknown) => {
            const r = await rejection(Promise.reject(e instanceof Error ? e : new Error(String(e))));
            throw new Error(`zod accepted, apiserver rejected (${r.code}): ${r.message}`);
          });
          assert.deepEqual(created.spec, zod.value, "defaults differ");
          seen.accepted++;
        } else {
          const r = await rejection(request).catch(() => {
            throw new Error(`zod rejected (${zod.message}), apiserver accepted`);
          });
          assert.ok([400, 422].includes(r.code), r.message);
          seen.rejected++;
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 400), seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31), verbose: 1 },
    );
    console.log(`    ${seen.accepted} accepted, ${seen.rejected} rejected by both`);
    // A generator that only produces one kind of spec would prove nothing.
    assert.ok(seen.accepted >= 40 && seen.rejected >= 40, JSON.stringify(seen));
  });

  it("agree on which updates the transition rules allow (checkSpecUpdate vs CEL oldSelf rules)", async () => {
    const api = customObjects();
    const seen = { allowed: 0, refused: 0 };
    let n = 0;
    await fc.assert(
      fc.asyncProperty(update, async ({ before, after }) => {
        const name = `upd-${n++}`;
        const stored = (await api.createNamespacedCustomObject({ ...ref(ns), body: tj(name, before) })) as Record<string, unknown>;
        try {
          const expectOk = parseSpec(after).ok && checkSpecUpdate(before, after).length === 0;
          const request = api.replaceNamespacedCustomObject({ ...ref(ns), name, body: { ...stored, spec: after }, dryRun: "All", fieldValidation: "Strict" });
          if (expectOk) {
            await request.catch(async (e: unknown) => {
              const r = await rejection(Promise.reject(e instanceof Error ? e : new Error(String(e))));
              throw new Error(`zod allowed the update, apiserver refused (${r.code}): ${r.message}`);
            });
            seen.allowed++;
          } else {
            const r = await rejection(request).catch(() => {
              throw new Error(`zod refused the update (${JSON.stringify(checkSpecUpdate(before, after))}), apiserver allowed it`);
            });
            assert.equal(r.code, 422, r.message);
            seen.refused++;
          }
        } finally {
          await api.deleteNamespacedCustomObject({ ...ref(ns), name });
        }
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 150), seed: Number(process.env.FC_SEED ?? Date.now() % 2 ** 31) },
    );
    console.log(`    ${seen.allowed} updates allowed, ${seen.refused} refused by both`);
    assert.ok(seen.allowed >= 15 && seen.refused >= 15, JSON.stringify(seen));
  });
});

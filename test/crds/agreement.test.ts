import assert from "node:assert/strict";
import fc from "fast-check";
import { checkSpecUpdate, parseSpec, X264_PRESETS } from "../../crds/index.js";
import { applyCrd } from "../../crds/install/index.js";
import { createNamespace, customObjects, deleteNamespace, kubeConfig, ref, rejection, tj } from "./kube.js";

/**
 * Generates specs near every boundary the schema draws (ranges, enums, patterns, lengths, uniqueness, the
 * preset/renditions choice, unknown fields, wrong JSON types). Each field is mostly valid and sometimes not,
 * so a fair share of whole specs is valid and the rest fail for one or a few reasons.
 */
const wrongType = fc.constantFrom<unknown>("7", true, null, [], {}, 1.5);
function mix<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 60, arbitrary: good }, { weight: 3, arbitrary: bad }, { weight: 1, arbitrary: wrongType });
}
const pick = <T>(...xs: T[]) => fc.constantFrom(...xs);

const bucket = mix(pick("uploads", "outputs", "out.puts-1", "abc", "a".repeat(63)), pick("ab", "Uploads", "-uploads", "uploads-", "a".repeat(64)));
const key = mix(pick("k", "uploads/alice/u1/in.mov", "k".repeat(1024)), pick("", "k".repeat(1025)));
// "uploads/alice/u1/in.mov" is also a source key: equal prefix and key happen often enough to exercise that rule.
const prefix = mix(pick("outputs/alice/j/", "p", "uploads/alice/u1/in.mov"), pick("", "p".repeat(1025)));
const evenHeight = fc.integer({ min: 72, max: 2160 }).map((h) => h * 2);
const rendition = fc.record(
  {
    height: mix(evenHeight, fc.oneof(pick(100, 142, 143, 145, 4321, 4322, 5000), evenHeight.map((h) => h + 1))),
    videoBitrateKbps: mix(fc.integer({ min: 64, max: 200000 }), pick(0, 63, 200001)),
    crf: mix(fc.integer({ min: 0, max: 51 }), pick(-1, 52)),
  },
  { requiredKeys: ["height"] },
);
const renditions = mix(
  fc.uniqueArray(rendition, { minLength: 1, maxLength: 8, selector: (r) => r.height }),
  fc.oneof(
    fc.constant([]),
    fc.uniqueArray(evenHeight.map((height) => ({ height })), { minLength: 9, maxLength: 10, selector: (r) => r.height }),
    evenHeight.map((height) => [{ height }, { height: 1080 }, { height }]),
  ),
);
const preset = mix(pick("standard", "mobile", "full"), pick("huge", "", "Standard"));
const ladder = mix(
  fc.oneof(fc.record({ preset }), fc.record({ renditions })),
  fc.oneof(fc.constant({}), fc.record({ preset, renditions }), fc.record({ preset, extra: fc.constant(1) })),
);
const spec = fc
  .record(
    {
      source: mix(fc.record({ bucket, key, versionId: mix(pick("v1", "3HL4kqtJlcpXroDTDmJ"), pick("", "v".repeat(1025))) }, { requiredKeys: ["bucket", "key"] }), fc.record({ bucket })),
      output: mix(fc.record({ bucket, prefix }), fc.record({ prefix })),
      ladder,
      formats: mix(pick(["hls"], ["mp4"], ["hls", "mp4"], ["mp4", "hls"]), pick([], ["webm"], ["hls", "hls"], ["hls", "mp4", "hls"])),
      thumbnails: mix(fc.boolean(), fc.constant("yes")),
      encoding: mix(
        fc.record({ x264Preset: mix(pick(...X264_PRESETS), pick("placebo")), segmentSeconds: mix(fc.integer({ min: 2, max: 10 }), pick(0, 1, 11)) }, { requiredKeys: [] }),
        fc.constant({ x264Preset: "veryfast", crf: 20 }),
      ),
      priority: mix(fc.integer({ min: -50, max: 50 }), pick(-51, 51, 1000)),
      owner: mix(pick("alice", "a-b-1", "x".repeat(63)), pick("Alice", "", "al ice", "x".repeat(64))),
      deleteSourceOnSuccess: mix(fc.boolean(), fc.constant(0)),
      maxAttempts: mix(fc.integer({ min: 1, max: 10 }), pick(0, 11)),
      activeDeadlineSeconds: mix(fc.integer({ min: 60, max: 604800 }), pick(0, 59, 604801)),
      suspend: mix(fc.boolean(), fc.constant("false")),
    },
    { requiredKeys: [] },
  )
  .chain((s) =>
    fc.record({ keepSource: fc.nat(19), keepOutput: fc.nat(19), unknown: fc.nat(29) }).map(({ keepSource, keepOutput, unknown }) => {
      // Mostly keep the two required fields, or nearly every spec fails for their absence alone.
      const out: Record<string, unknown> = { ...s };
      if (keepSource > 0) out.source ??= { bucket: "uploads", key: "uploads/alice/u1/in.mov" };
      if (keepOutput > 0) out.output ??= { bucket: "outputs", prefix: "outputs/alice/j/" };
      if (unknown === 0) out.colour = "blue";
      return out;
    }),
  );

const validSpec = spec.filter((s) => parseSpec(s).ok);
const SPEC_FIELDS = ["source", "output", "ladder", "formats", "thumbnails", "encoding", "priority", "owner", "deleteSourceOnSuccess", "maxAttempts", "activeDeadlineSeconds", "suspend"];
/** A valid spec and an update of it: a few of its fields taken from a second spec (or dropped if that one lacks them). */
const update = fc
  .record({
    before: validSpec,
    other: validSpec,
    fields: fc.subarray(SPEC_FIELDS, { maxLength: 3 }),
    mutable: fc.subarray(["priority", "suspend"]),
  })
  .map(({ before, other, fields, mutable }) => {
    const after: Record<string, unknown> = { ...before };
    for (const f of [...fields, ...mutable]) {
      if (f in other) after[f] = other[f];
      else delete after[f];
    }
    return { before, after };
  });

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
      { numRuns: Number(process.env.FC_RUNS ?? 150) },
    );
    console.log(`    ${seen.allowed} updates allowed, ${seen.refused} refused by both`);
    assert.ok(seen.allowed >= 15 && seen.refused >= 15, JSON.stringify(seen));
  });
});

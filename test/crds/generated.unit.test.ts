import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { GENERATED_PATH, renderCrdYaml, StructuralSchemaError, toStructural, crdManifest } from "../../crds/generator/index.js";
import { repoRoot } from "./examples.js";

type Node = Record<string, unknown>;

function walk(node: Node, path: string, visit: (n: Node, path: string) => void): void {
  visit(node, path);
  for (const [name, child] of Object.entries((node.properties ?? {}) as Record<string, Node>)) walk(child, `${path}.${name}`, visit);
  if (node.items) walk(node.items as Node, `${path}[]`, visit);
}

const rootSchema = (): Node => crdManifest().spec.versions[0]!.schema.openAPIV3Schema;

describe("crds: generated CRD", () => {
  it(`${GENERATED_PATH} is up to date (run \`npm run crds:generate\` when this fails)`, async () => {
    const onDisk = await readFile(join(repoRoot, GENERATED_PATH), "utf8");
    assert.equal(onDisk, renderCrdYaml());
  });

  it("is structural: a type on every node, no additionalProperties beside properties, no $ref/anyOf", () => {
    walk(rootSchema(), "", (n, path) => {
      assert.equal(typeof n.type, "string", `${path} has no type`);
      assert.ok(!(n.properties && "additionalProperties" in n), `${path} has properties and additionalProperties`);
      for (const k of ["$ref", "anyOf", "oneOf", "allOf", "not", "$schema", "x-kubernetes-preserve-unknown-fields"]) {
        assert.ok(!(k in n), `${path} has ${k}`);
      }
    });
  });

  it("documents every spec and status field (kubectl explain shows these)", () => {
    const spec = (rootSchema().properties as Record<string, Node>).spec!;
    const status = (rootSchema().properties as Record<string, Node>).status!;
    const undocumented: string[] = [];
    for (const [root, node] of [["spec", spec], ["status", status]] as const) {
      walk(node, root, (n, path) => {
        if (typeof n.description !== "string" && !path.endsWith("[]") && !/\.(width|height|videoBitrateKbps|status)$/.test(path)) undocumented.push(path);
      });
    }
    assert.deepEqual(undocumented, []);
  });

  it("carries defaults and CEL rules into the schema", () => {
    const spec = (rootSchema().properties as Record<string, Node>).spec!;
    const props = spec.properties as Record<string, Node>;
    assert.deepEqual(props.ladder!.default, { preset: "standard" });
    assert.deepEqual(props.formats!.default, ["hls", "mp4"]);
    assert.equal(props.priority!.default, 0);
    const rules = (n: Node) => ((n["x-kubernetes-validations"] ?? []) as { rule: string }[]).map((r) => r.rule);
    assert.ok(rules(props.source!).includes("self == oldSelf"));
    assert.ok(rules(props.ladder!).includes("has(self.preset) != has(self.renditions)"));
    assert.ok(rules(spec).includes("self.output.prefix != self.source.key"));
    assert.ok(!rules(props.priority!).includes("self == oldSelf") && !rules(props.suspend!).includes("self == oldSelf"));
  });

  it("has the names, status subresource and columns kubectl users rely on", () => {
    const crd = crdManifest();
    assert.deepEqual(crd.spec.names.shortNames, ["tj"]);
    assert.deepEqual(crd.spec.names.categories, ["transcoder"]);
    const v = crd.spec.versions[0]!;
    assert.deepEqual(v.subresources, { status: {} });
    assert.deepEqual(
      v.additionalPrinterColumns.map((c) => [c.name, "priority" in c ? c.priority : 0]),
      [["Phase", 0], ["Progress", 0], ["Attempts", 0], ["Reason", 0], ["Position", 0], ["Admission", 0], ["File", 0], ["Age", 0], ["Started", 1], ["Duration", 1], ["Task", 1]],
    );
  });
});

describe("crds: toStructural", () => {
  const cases: { name: string; schema: z.ZodType; error: RegExp }[] = [
    { name: "a union", schema: z.object({ a: z.union([z.string(), z.number()]) }), error: /<root>\.a: "anyOf"/ },
    { name: "a discriminated union", schema: z.object({ a: z.array(z.discriminatedUnion("k", [z.object({ k: z.literal("x") }), z.object({ k: z.literal("y") })])) }), error: /<root>\.a\[\]: "(anyOf|oneOf)"/ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}`, () => {
      const json = z.toJSONSchema(c.schema, { io: "input", target: "openapi-3.0" }) as Record<string, unknown>;
      assert.throws(() => toStructural(json), (e: unknown) => e instanceof StructuralSchemaError && c.error.test(e.message));
    });
  }

  it("refuses a node without a type, an unknown keyword and a $ref", () => {
    assert.throws(() => toStructural({ type: "object", properties: { a: { $ref: "#/$defs/x" } } }), /<root>\.a: "\$ref"/);
    assert.throws(() => toStructural({ type: "object", properties: { a: { description: "x" } } }), /<root>\.a: every node needs a single "type"/);
    assert.throws(() => toStructural({ type: "string", contentEncoding: "base64" }), /keyword "contentEncoding"/);
  });

  it("drops zod's safe-integer bounds and the date-time regex, keeps real bounds", () => {
    const json = z.toJSONSchema(z.object({ n: z.int().min(1), t: z.iso.datetime() }), { io: "input", target: "openapi-3.0" }) as Record<string, unknown>;
    assert.deepEqual(toStructural(json), {
      type: "object",
      required: ["n", "t"],
      properties: { n: { type: "integer", minimum: 1 }, t: { type: "string", format: "date-time" } },
    });
  });

  it("turns numeric exclusive bounds into OpenAPI v3.0 booleans", () => {
    assert.deepEqual(toStructural({ type: "number", exclusiveMinimum: 0 }), { type: "number", minimum: 0, exclusiveMinimum: true });
  });
});

// Shared by the unit and integration suites: the example manifests and a valid spec to derive cases from.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export async function readExample(name: "minimal" | "full"): Promise<Record<string, unknown> & { spec: Record<string, unknown> }> {
  return parse(await readFile(join(repoRoot, "examples", `${name}.yaml`), "utf8")) as Record<string, unknown> & {
    spec: Record<string, unknown>;
  };
}

export const validSpec = (): Record<string, unknown> => ({
  source: { bucket: "uploads", key: "uploads/alice/u1/in.mov" },
  output: { bucket: "outputs", prefix: "outputs/alice/j1/" },
});

/**
 * Specs both zod and the apiserver must reject, each with the field path the error must name. The apiserver
 * cases run through the same table (test/crds/apiserver.test.ts).
 */
export const invalidSpecs: { name: string; spec: Record<string, unknown>; path: string }[] = [
  { name: "missing source", spec: { output: validSpec().output }, path: "spec.source" },
  { name: "height too small", spec: { ...validSpec(), ladder: { renditions: [{ height: 100 }] } }, path: "spec.ladder.renditions[0].height" },
  { name: "height too large", spec: { ...validSpec(), ladder: { renditions: [{ height: 360 }, { height: 4322 }] } }, path: "spec.ladder.renditions[1].height" },
  { name: "odd height", spec: { ...validSpec(), ladder: { renditions: [{ height: 361 }] } }, path: "spec.ladder.renditions[0].height" },
  { name: "duplicate heights", spec: { ...validSpec(), ladder: { renditions: [{ height: 720 }, { height: 720 }] } }, path: "spec.ladder.renditions" },
  {
    name: "too many renditions",
    spec: { ...validSpec(), ladder: { renditions: [144, 240, 360, 480, 540, 720, 1080, 1440, 2160].map((height) => ({ height })) } },
    path: "spec.ladder.renditions",
  },
  { name: "both preset and renditions", spec: { ...validSpec(), ladder: { preset: "mobile", renditions: [{ height: 720 }] } }, path: "spec.ladder" },
  { name: "neither preset nor renditions", spec: { ...validSpec(), ladder: {} }, path: "spec.ladder" },
  { name: "unknown preset", spec: { ...validSpec(), ladder: { preset: "huge" } }, path: "spec.ladder.preset" },
  { name: "priority above range", spec: { ...validSpec(), priority: 51 }, path: "spec.priority" },
  { name: "priority below range", spec: { ...validSpec(), priority: -51 }, path: "spec.priority" },
  { name: "empty output prefix", spec: { ...validSpec(), output: { bucket: "outputs", prefix: "" } }, path: "spec.output.prefix" },
  {
    name: "output prefix equal to source key",
    spec: { ...validSpec(), output: { bucket: "outputs", prefix: "uploads/alice/u1/in.mov" } },
    path: "spec.output.prefix",
  },
  { name: "unknown format", spec: { ...validSpec(), formats: ["webm"] }, path: "spec.formats[0]" },
  { name: "repeated format", spec: { ...validSpec(), formats: ["hls", "hls"] }, path: "spec.formats[1]" },
  { name: "maxAttempts zero", spec: { ...validSpec(), maxAttempts: 0 }, path: "spec.maxAttempts" },
  { name: "deadline under a minute", spec: { ...validSpec(), activeDeadlineSeconds: 30 }, path: "spec.activeDeadlineSeconds" },
  { name: "crf above 51", spec: { ...validSpec(), ladder: { renditions: [{ height: 720, crf: 52 }] } }, path: "spec.ladder.renditions[0].crf" },
  { name: "segment too long", spec: { ...validSpec(), encoding: { segmentSeconds: 11 } }, path: "spec.encoding.segmentSeconds" },
  { name: "bad owner", spec: { ...validSpec(), owner: "Alice Smith" }, path: "spec.owner" },
  { name: "bad bucket name", spec: { ...validSpec(), source: { bucket: "Uploads_1", key: "k" } }, path: "spec.source.bucket" },
  { name: "unknown field", spec: { ...validSpec(), colour: "blue" }, path: "spec.colour" },
  { name: "unknown nested field", spec: { ...validSpec(), source: { bucket: "uploads", key: "k", region: "eu" } }, path: "spec.source.region" },
  { name: "priority not an integer", spec: { ...validSpec(), priority: 1.5 }, path: "spec.priority" },
];

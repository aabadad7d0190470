/** The processes the images run: the one table of entrypoints (moving a main.ts is a one-line change here). */
import { OPERATOR_ENV, OPERATOR_NODE_FLAGS } from "../../operator/build.js";

export type ImageName = "transcoder" | "control-plane";

export interface Entrypoint {
  image: ImageName;
  /** The TypeScript main module, from the repository root; bundled with esbuild into /app/<bundle>.mjs. */
  source: string;
  bundle: string;
  /** node flags the process is run with (the image's entrypoint is node; the command is these + the bundle). */
  nodeFlags?: readonly string[];
  /** Environment the process is measured with; the image sets it (see the Containerfile), a test checks it. */
  env?: Readonly<Record<string, string>>;
}

export const ENTRYPOINTS = {
  transcoder: { image: "transcoder", source: "images/transcoder/src/main.ts", bundle: "main" },
  operator: { image: "control-plane", source: "operator/main.ts", bundle: "operator", nodeFlags: OPERATOR_NODE_FLAGS, env: OPERATOR_ENV },
  bridge: { image: "control-plane", source: "bridge/main.ts", bundle: "bridge" },
  api: { image: "control-plane", source: "api/main.ts", bundle: "api" },
  "upload-webhook": { image: "control-plane", source: "lambda/local/main.ts", bundle: "upload-webhook" },
} as const satisfies Record<string, Entrypoint>;

export type ProcessName = keyof typeof ENTRYPOINTS;

/** The container command of a control-plane process (the image's entrypoint is node). */
export function processCommand(name: ProcessName): string[] {
  const e: Entrypoint = ENTRYPOINTS[name];
  return [...(e.nodeFlags ?? []), `/app/${e.bundle}.mjs`];
}

export function entrypointsOf(image: ImageName): [ProcessName, Entrypoint][] {
  return (Object.entries(ENTRYPOINTS) as [ProcessName, Entrypoint][]).filter(([, e]) => e.image === image);
}

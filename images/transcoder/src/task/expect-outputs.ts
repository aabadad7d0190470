import { access } from "node:fs/promises";
import { join } from "node:path";
import { TerminalError } from "../../../../lib/errors/index.js";
import { filesFor, INIT_SEGMENT, POSTER, SPRITE } from "../ffmpeg/index.js";
import type { Plan } from "../plan/index.js";

/**
 * Every file the plan promised, after ffmpeg exited 0. A missing one is a bug in the task (a filter that emitted
 * no frame, as the sprite of a 0.3 s clip once did), not in the upload nor in the infrastructure: retrying would
 * fail the same way, so it is terminal, and named.
 */
export async function expectOutputs(dir: string, plan: Plan): Promise<void> {
  const expected = plan.renditions.flatMap((r) => {
    const f = filesFor(r, plan.formats);
    return [f.playlist, f.segmentDir && f.segmentDir + INIT_SEGMENT, f.mp4];
  });
  if (plan.poster) expected.push(POSTER);
  if (plan.sprite) expected.push(SPRITE);
  const missing: string[] = [];
  for (const rel of expected)
    if (rel !== undefined) await access(join(dir, rel)).catch(() => missing.push(rel));
  if (missing.length > 0)
    throw new TerminalError(
      `The transcoder did not produce ${missing.join(", ")} (a bug in the task, not in the upload).`,
      "OutputMissing",
    );
}

/**
 * Drives hls.js (page.html in Chromium) through every level of a started stream, up from the smallest to the
 * largest and one switch back down. For each level: its fragments load, frames of the level's size are presented
 * while the playhead advances, and hls.js reports no fatal error. Shared by the transcoder's player test and the
 * end-to-end test of playback links.
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import type { Player, PlayerLevel, PlayerState, PlayerSupport } from "./browser.js";

export interface PlayedLevels {
  /** One line per level played, for the test's output. */
  seen: string[];
  last: PlayerState;
}

export async function playEveryLevel(p: Player, levels: PlayerLevel[], support: PlayerSupport, perLevelMs = 30_000): Promise<PlayedLevels> {
  const byHeight = levels.map((l, i) => ({ ...l, index: i })).sort((a, b) => a.height - b.height);
  const order = [...byHeight, byHeight[0]!]; // up through every level, then one switch down
  const seen: string[] = [];
  let last: PlayerState | undefined;
  for (const level of order) {
    const mark = await p.switchTo(level.index);
    const started = Date.now();
    const deadline = started + perLevelMs;
    const want = `${level.width}x${level.height}`;
    for (;;) {
      last = await p.state();
      const fatal = last.errors.find((e) => e.fatal);
      assert.equal(fatal, undefined, `fatal hls.js error on level ${want}: ${JSON.stringify(fatal)}`);
      assert.equal(last.mediaError, undefined, `video element error on level ${want}`);
      const frags = last.frags.slice(mark.frags).filter((f) => f.level === level.index && f.sn !== "initSegment");
      const loaded = frags.filter((f) => f.buffered && f.bytes > 0);
      const presented = support.frameCallback
        ? last.framesPresented > mark.framesPresented &&
          last.lastFrame !== undefined &&
          `${last.lastFrame.width}x${last.lastFrame.height}` === want &&
          last.lastFrame.mediaTime >= mark.currentTime
        : true;
      if (loaded.length > 0 && presented && `${last.videoWidth}x${last.videoHeight}` === want && last.currentTime >= mark.currentTime + 1) {
        seen.push(`${want} (${loaded.length} frag(s), t ${mark.currentTime.toFixed(2)}→${last.currentTime.toFixed(2)} s, ${Date.now() - started} ms)`);
        break;
      }
      if (Date.now() > deadline) {
        assert.fail(
          `level ${want} did not play within ${perLevelMs / 1000} s: ${JSON.stringify({ ...last, frags: last.frags.slice(mark.frags) })}\n` +
            p.console.slice(-20).join("\n"),
        );
      }
      await sleep(100);
    }
  }
  assert.ok(last);
  assert.deepEqual(
    [...new Set(last.frags.filter((f) => f.sn !== "initSegment").map((f) => f.level))].sort(),
    levels.map((_, i) => i),
    "fragments of every level were loaded",
  );
  assert.ok(last.decodedFrames > 0 && last.droppedFrames <= last.decodedFrames / 2, `frames ${last.decodedFrames} decoded, ${last.droppedFrames} dropped`);
  return { seen, last };
}

import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { TerminalError } from "../../../../lib/errors/index.js";
import type { Logger } from "../../../../lib/log.js";
import {
  EXIT_BAD_INPUT,
  EXIT_OK,
  EXIT_RETRYABLE,
  wallClockBudgetSeconds,
  type TaskInput,
  type TaskOutputs,
  type TaskResult,
} from "../../../../lib/task-contract/index.js";
import { BadInputError } from "../errors.js";
import {
  buildFfmpegArgs,
  DURATION_READ_MARGIN_SECONDS,
  encodePercent,
  MANIFEST,
  MASTER_PLAYLIST,
  POSTER,
  runFfmpeg,
  SPRITE,
} from "../ffmpeg/index.js";
import { writeMasterPlaylist } from "../hls/index.js";
import { outputTooBig } from "../limits/errors.js";
import { planRenditions, transcodeWork } from "../plan/index.js";
import { probeFile } from "../probe/index.js";
import type { Reporter } from "../report/index.js";
import { contentHeaders, deleteKeys, deleteSource, downloadSource, sha256File, uploadFiles } from "../storage/index.js";
import { buildManifest, type ManifestFile } from "./manifest.js";
import { measureRendition, variantOf } from "./measure.js";
import { expectOutputs } from "./expect-outputs.js";

export interface TaskDeps {
  s3: S3Client;
  reporter: Reporter;
  log: Logger;
  ffmpeg?: string;
  ffprobe?: string;
  signal?: AbortSignal;
  now?: () => Date;
}

// Share of the overall percent each stage covers: the encode dominates.
const PCT = { downloaded: 5, encoded: 90, uploaded: 99 } as const;

/** Turns any failure into the result the operator reads; messages are one line, never a stack. */
export function resultFromError(err: unknown, aborted: boolean): TaskResult {
  if (err instanceof BadInputError || err instanceof TerminalError)
    return { ok: false, exitCode: EXIT_BAD_INPUT, reason: err.reason, message: err.message };
  if (aborted) return { ok: false, exitCode: EXIT_RETRYABLE, reason: "Interrupted", message: "The task was stopped." };
  const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return { ok: false, exitCode: EXIT_RETRYABLE, reason: "TransientFailure", message };
}

/** One attempt of one job, start to finish. Never throws: the returned result carries the exit code. */
export async function runTask(input: TaskInput, deps: TaskDeps): Promise<TaskResult> {
  const log = deps.log.child({ uid: input.job.uid, attempt: input.attempt });
  const work = await mkdtemp(join(input.workDir ?? tmpdir(), "tj-"));
  const uploaded: string[] = [];
  let result: TaskResult;
  try {
    const outputs = await transcode(input, deps, work, log, uploaded);
    result = { ok: true, exitCode: EXIT_OK, outputs };
  } catch (err) {
    result = resultFromError(err, deps.signal?.aborted ?? false);
    log.warn({ reason: result.reason, msg2: result.message }, "attempt failed");
    if (uploaded.length > 0) {
      // Without a manifest the prefix would look half-done; take back what this attempt wrote.
      const left = await deleteKeys(deps.s3, input.output.bucket, uploaded);
      if (left.length) log.error({ left: left.length }, "partial outputs could not all be removed");
    }
  } finally {
    await rm(work, { recursive: true, force: true }).catch((err: unknown) => log.error({ err }, "temp cleanup failed"));
  }
  return result;
}

async function transcode(
  input: TaskInput,
  deps: TaskDeps,
  work: string,
  log: Logger,
  uploaded: string[],
): Promise<TaskOutputs> {
  const { reporter, signal } = deps;
  const now = deps.now ?? (() => new Date());
  const sourceFile = join(work, "source");
  const out = join(work, "out");
  await mkdir(out);

  reporter.progress({ stage: "downloading", percent: 0 });
  const { limits } = input;
  const ffprobe = deps.ffprobe ?? "ffprobe";
  await downloadSource(deps.s3, input.source, sourceFile, { maxBytes: limits.maxSourceBytes, signal });
  reporter.progress({ stage: "probing", percent: PCT.downloaded });
  const info = await probeFile(sourceFile, { ffprobe, limits, signal });
  const plan = planRenditions(info, input.spec);
  const budgetSeconds = wallClockBudgetSeconds(limits, transcodeWork(plan, info));
  log.info(
    { renditions: plan.renditions.map((r) => r.name), durationSeconds: info.durationSeconds, container: info.formatName, budgetSeconds },
    "planned",
  );

  for (const r of plan.renditions) await mkdir(join(out, r.name), { recursive: true });
  reporter.progress({ stage: "transcoding", percent: PCT.downloaded });
  const startedAt = Date.now();
  await runFfmpeg({
    ffmpeg: deps.ffmpeg ?? "ffmpeg",
    args: buildFfmpegArgs(plan, {
      input: sourceFile,
      maxPixels: limits.maxPixelsPerFrame,
      readSeconds: limits.maxDurationSeconds + DURATION_READ_MARGIN_SECONDS,
    }),
    cwd: out,
    signal,
    budgetSeconds,
    maxOutputBytes: limits.maxOutputBytes,
    maxDurationSeconds: limits.maxDurationSeconds,
    declaredSeconds: info.durationSeconds,
    onProgress: (t) =>
      reporter.progress({
        stage: "transcoding",
        percent: PCT.downloaded + ((PCT.encoded - PCT.downloaded) * encodePercent(t, info.durationSeconds)) / 100,
      }),
  });
  log.info({ ms: Date.now() - startedAt }, "encoded");
  await rm(sourceFile, { force: true });
  await expectOutputs(out, plan);

  const measured = await Promise.all(plan.renditions.map((r) => measureRendition(out, plan, r, ffprobe, limits)));
  const keyOf = (rel: string): string => input.output.prefix + rel;
  const media = measured.flatMap((m) => m.files);
  const master = plan.formats.includes("hls") ? MASTER_PLAYLIST : undefined;
  if (master) await writeFile(join(out, master), writeMasterPlaylist(measured.map(variantOf)));
  const stills = [plan.poster ? POSTER : undefined, plan.sprite ? SPRITE : undefined].filter((s) => s !== undefined);
  // Playlists after the segments they name, the master after them, the manifest last of all.
  const playlists = new Set(measured.map((m) => m.playlist).filter((p) => p !== undefined));
  const ordered = [...media.filter((f) => !playlists.has(f)), ...stills, ...playlists, ...(master ? [master] : [])];

  const files: ManifestFile[] = await Promise.all(
    ordered.map(async (rel) => ({
      key: keyOf(rel),
      sizeBytes: (await stat(join(out, rel))).size,
      sha256: await sha256File(join(out, rel)),
      contentType: contentHeaders(rel).contentType,
    })),
  );
  const manifest = buildManifest({
    job: { ...input.job, attempt: input.attempt },
    source: { ...input.source, info },
    plan,
    measured,
    keyOf,
    masterPlaylist: master && keyOf(master),
    poster: plan.poster ? keyOf(POSTER) : undefined,
    sprite: plan.sprite ? keyOf(SPRITE) : undefined,
    files,
    now: now(),
  });
  await writeFile(join(out, MANIFEST), JSON.stringify(manifest, null, 2));
  const totalBytes = files.reduce((n, f) => n + f.sizeBytes, 0);
  const outputBytes = totalBytes + (await stat(join(out, MANIFEST))).size;
  if (outputBytes > limits.maxOutputBytes) throw outputTooBig(outputBytes, limits.maxOutputBytes, "finish");

  let doneBytes = 0;
  reporter.progress({ stage: "uploading", percent: PCT.encoded });
  const upload = async (rels: string[]): Promise<void> =>
    uploadFiles(
      deps.s3,
      input.output.bucket,
      rels.map((rel) => ({ file: join(out, rel), key: keyOf(rel) })),
      {
        signal,
        onUploaded: (item) => {
          uploaded.push(item.key);
          doneBytes += files.find((f) => f.key === item.key)?.sizeBytes ?? 0;
          reporter.progress({
            stage: "uploading",
            percent: PCT.encoded + ((PCT.uploaded - PCT.encoded) * doneBytes) / Math.max(1, totalBytes),
          });
        },
      },
    );
  await upload(ordered.filter((f) => !playlists.has(f) && f !== master));
  await upload([...playlists]);
  if (master) await upload([master]);
  await upload([MANIFEST]);

  if (input.spec.deleteSourceOnSuccess) {
    reporter.progress({ stage: "finalizing", percent: PCT.uploaded });
    await deleteSource(deps.s3, input.source);
  }
  reporter.progress({ stage: "done", percent: 100 });
  return {
    masterPlaylist: master && keyOf(master),
    manifest: keyOf(MANIFEST),
    poster: plan.poster ? keyOf(POSTER) : undefined,
    renditions: measured.map((m) => ({
      name: m.rendition.name,
      width: m.width,
      height: m.height,
      videoBitrateKbps: m.videoBitrateKbps,
      bandwidth: m.bandwidth,
      codecs: m.codecs,
      sizeBytes: m.sizeBytes,
      playlist: m.playlist === undefined ? undefined : keyOf(m.playlist),
      mp4: m.mp4 === undefined ? undefined : keyOf(m.mp4),
    })),
  };
}

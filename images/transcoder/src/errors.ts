import { TerminalError } from "../../../lib/errors/index.js";

/** Reasons a source can never be transcoded; they map to EXIT_BAD_INPUT and are shown to the job's owner. */
export type BadInputReason =
  | "EmptyInput"
  | "NotMedia"
  | "UnsupportedFormat"
  | "CorruptInput"
  | "NoMediaStreams"
  | "TooLong"
  | "TooBig"
  | "TooManyPixels"
  | "FrameRateTooHigh"
  | "OutputTooBig"
  | "ProbeTimedOut"
  | "TranscodeTimedOut"
  | "SourceNotFound"
  | "InvalidTaskEnv"
  | "InvalidSpec";

/** The input is at fault: do not retry. `message` is one sentence for a human, never a stack trace. */
export class BadInputError extends TerminalError {
  constructor(
    readonly badInputReason: BadInputReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, badInputReason, options);
  }
}

/** sysexits.h EX_CONFIG: every process exits with it when its configuration is refused. */
export const EXIT_CONFIG = 78;

/** A refused configuration. The message names every bad variable and why, never a value (some are secret). */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly exitCode = EXIT_CONFIG;

  constructor(
    readonly process: string,
    readonly problems: readonly { variable: string; message: string }[],
  ) {
    super(`invalid configuration of ${process}:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join("\n")}`);
  }
}

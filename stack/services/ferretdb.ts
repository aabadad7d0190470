import { readFileSync } from "node:fs";
import { binaries } from "../versions.js";
import { requireBinary, type StartContext } from "./context.js";

/** FerretDB (MongoDB wire protocol) on SQLite. It binds port 0 itself and prints its URI, so no port race. */
export async function startFerretDb(ctx: StartContext): Promise<{ url: string }> {
  requireBinary("ferretdb", binaries.ferretdb);
  const proc = ctx.spawn({
    service: "ferretdb",
    command: binaries.ferretdb,
    args: ["-listen", "127.0.0.1:0", "-data-dir", ctx.dataDir("ferretdb")],
  });
  let url = "";
  await proc.waitReady(() => {
    const m = /^ready (mongodb:\/\/\S+)/m.exec(readFileSync(proc.logFile, "utf8"));
    if (m) url = m[1]!;
    return Promise.resolve(Boolean(m));
  }, 30_000);
  return { url };
}

import { binaries } from "../versions.js";
import { requireBinary, type StartContext } from "./context.js";

/**
 * FerretDB (MongoDB wire protocol) on SQLite. It binds port 0 itself and prints its URI, so no port race; a
 * restart (the chaos suite's) reuses that port, and waits for the new process's own "ready" line.
 */
export async function startFerretDb(ctx: StartContext): Promise<{ url: string }> {
  requireBinary("ferretdb", binaries.ferretdb);
  const args = (listen: string) => ["-listen", listen, "-data-dir", ctx.dataDir("ferretdb")];
  const proc = ctx.spawn({ service: "ferretdb", command: binaries.ferretdb, args: args("127.0.0.1:0") });
  let url = "";
  await proc.waitReady(() => {
    const m = /^ready (mongodb:\/\/\S+)/m.exec(proc.output());
    if (m) url = m[1]!;
    return Promise.resolve(Boolean(m));
  }, 30_000);
  proc.pinArgs(args(new URL(url).host));
  return { url };
}

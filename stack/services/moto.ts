import { binaries } from "../versions.js";
import type { EcsEndpoint } from "../types.js";
import { httpOk, requireBinary, type StartContext } from "./context.js";

/** moto_server: the ECS (and EC2) API emulator. State lives in memory, so each run starts empty. */
export async function startMoto(ctx: StartContext): Promise<EcsEndpoint> {
  requireBinary("moto", binaries.motoServer);
  return ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({
      service: "moto",
      command: binaries.motoServer,
      args: ["-H", "127.0.0.1", "-p", String(port)],
      env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: "true" },
    });
    const endpoint = `http://127.0.0.1:${port}`;
    await proc.waitReady(() => httpOk(`${endpoint}/moto-api/`), 60_000);
    return { endpoint, region: "us-east-1", accessKeyId: "testing", secretAccessKey: "testing" };
  });
}

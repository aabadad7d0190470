import { Socket } from "node:net";
import { binaries } from "../versions.js";
import type { StartContext } from "./context.js";

/** Debian's redis-server, no persistence (tests of durability start their own instance with AOF). */
export async function startRedis(ctx: StartContext): Promise<{ url: string }> {
  const dir = ctx.dataDir("redis");
  return ctx.withPorts(1, async ([port]) => {
    const proc = ctx.spawn({
      service: "redis",
      command: binaries.redisServer,
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    });
    await proc.waitReady(() => redisPing(port!), 15_000);
    return { url: `redis://127.0.0.1:${port}` };
  });
}

function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once("data", (data) => {
      resolve(data.toString().startsWith("+PONG"));
      socket.destroy();
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      resolve(false);
      socket.destroy();
    });
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

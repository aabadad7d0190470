import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

/** ECS JSON-protocol operation names as they travel in X-Amz-Target (AmazonEC2ContainerServiceV20141113.RunTask). */
export type EcsOperation = "RunTask" | "StopTask" | "DescribeTasks" | "ListTasks" | (string & {});

export interface EcsFaults {
  /** Probability per call that the operation is answered with ECS's ThrottlingException (HTTP 400). */
  throttle?: Partial<Record<EcsOperation, number>>;
  /** Probability per RunTask that no task is placed for lack of capacity (HTTP 200 with a failure, as ECS answers). */
  capacity?: number;
  /**
   * How long a StopTask of this task takes to reach the emulator: ECS answers StopTask at once but the task stays
   * RUNNING/STOPPING until its container has exited and its resources are gone (seconds to tens of seconds on
   * Fargate). moto stops a task the instant StopTask arrives, so the proxy holds the call for that long instead.
   */
  stopDelayMs?: (task: string) => number;
}

/**
 * An HTTP forwarder in front of the ECS emulator for fault injection at the API level, as AWS Fault Injection
 * Service's aws:fis:inject-api-throttle-error does against real ECS. Every answer that is not an injected fault
 * is the emulator's own; the injected ones carry ECS's documented error shapes, so the SDK classifies them as it
 * would in production.
 */
export class EcsFaultProxy {
  private server: Server | undefined;
  port = 0;
  faults: EcsFaults = {};
  /** Injected faults by kind ("throttle:RunTask", "capacity", "stop-held"). */
  readonly injected = new Map<string, number>();
  /** Calls forwarded, by operation. */
  readonly calls = new Map<string, number>();

  constructor(private readonly target: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const addr = this.server.address();
    this.port = typeof addr === "object" && addr ? addr.port : 0;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const op = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
    try {
      if (Math.random() < (this.faults.throttle?.[op] ?? 0)) {
        this.count(this.injected, `throttle:${op}`);
        return reply(res, 400, { __type: "ThrottlingException", message: "Rate exceeded" });
      }
      if (op === "RunTask" && Math.random() < (this.faults.capacity ?? 0)) {
        this.count(this.injected, "capacity");
        return reply(res, 200, { tasks: [], failures: [{ reason: "Capacity is unavailable at this time. Please try again later or in a different availability zone" }] });
      }
      if (op === "StopTask" && this.faults.stopDelayMs) {
        const task = (JSON.parse(body.toString() || "{}") as { task?: string }).task ?? "";
        const ms = this.faults.stopDelayMs(task);
        if (ms > 0) {
          this.count(this.injected, "stop-held");
          await sleep(ms);
        }
      }
      this.count(this.calls, op);
      await this.forward(req, body, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(502).end(String(err));
    }
  }

  private forward(req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
    const target = new URL(this.target);
    return new Promise((resolve, reject) => {
      const up = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on("end", resolve);
          answer.on("error", reject);
        },
      );
      up.on("error", reject);
      up.end(body);
    });
  }
}

function reply(res: ServerResponse, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.writeHead(status, { "content-type": "application/x-amz-json-1.1", "content-length": Buffer.byteLength(text), "x-amzn-requestid": "fault-injected" });
  res.end(text);
}

import assert from "node:assert/strict";
import { progressChannel, progressKey } from "../../lib/task-contract/index.js";
import type { RedisProgressFeed } from "../../api/jobs/progress.js";
import { waitFor } from "../support/wait.js";
import { postForm, startHarness, type Harness } from "./harness.js";

/** Reads an SSE response incrementally, so a test can wait for the next event. */
class EventReader {
  private buf = "";
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  ended = false;
  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }
  async next(): Promise<{ event: string; data: Record<string, unknown> } | undefined> {
    for (;;) {
      const i = this.buf.indexOf("\n\n");
      if (i >= 0) {
        const block = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) return { event, data: JSON.parse(data) as Record<string, unknown> };
        continue; // retry: line or keep-alive comment
      }
      const { value, done } = await this.reader.read();
      if (done) {
        this.ended = true;
        return undefined;
      }
      this.buf += this.decoder.decode(value, { stream: true });
    }
  }
}

describe("api: Server-Sent Events progress stream", function () {
  this.timeout(60_000);
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h?.close();
  });

  async function newJob(): Promise<{ c: ReturnType<Harness["client"]>; id: string; uid: string }> {
    const c = h.client();
    await c.signupAndLogin();
    const p = await c.call("POST", "/uploads/presigned-post", { json: { filename: "a.mp4", contentType: "video/mp4" } });
    await postForm(p.body as { url: string; fields: Record<string, string> }, new Uint8Array(10));
    const job = await c.call("POST", "/jobs", { json: { source: { key: String(p.body.key) } } });
    assert.equal(job.status, 201, job.text);
    return { c, id: String(job.body.id), uid: String(job.body.uid) };
  }

  it("sends the status, the stored progress, then each published update, and ends after 'done'", async () => {
    const { c, id, uid } = await newJob();
    await h.redis.hset(progressKey(uid), { attempt: "1", percent: "10", stage: "probing", updatedAt: new Date().toISOString() });
    const res = await fetch(`${h.api.url}/jobs/${id}/events`, { headers: { cookie: c.cookieHeader() } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
    const events = new EventReader(res.body!);
    const status = await events.next();
    assert.equal(status?.event, "status");
    assert.equal(status?.data.phase, "Pending");
    const stored = await events.next();
    assert.deepEqual([stored?.event, stored?.data.percent, stored?.data.stage], ["progress", 10, "probing"]);

    const publish = (percent: number, stage: string) =>
      h.redis.publish(progressChannel(uid), JSON.stringify({ attempt: 1, percent, stage, updatedAt: new Date().toISOString() }));
    await publish(55, "transcoding");
    const live = await events.next();
    assert.deepEqual([live?.event, live?.data.percent, live?.data.stage], ["progress", 55, "transcoding"]);
    // A malformed message on the channel is skipped, not forwarded and not fatal.
    await h.redis.publish(progressChannel(uid), "{not json");
    await publish(100, "done");
    const last = await events.next();
    assert.deepEqual([last?.data.percent, last?.data.stage], [100, "done"]);
    assert.equal(await events.next(), undefined);
    assert.ok(events.ended);
    const feed = h.api.deps.progress as RedisProgressFeed;
    await waitFor(() => feed.openChannels === 0, 5000, "channel released");
  });

  it("a client that goes away releases its subscription", async () => {
    const { c, id } = await newJob();
    const ac = new AbortController();
    const res = await fetch(`${h.api.url}/jobs/${id}/events`, { headers: { cookie: c.cookieHeader() }, signal: ac.signal });
    const events = new EventReader(res.body!);
    assert.equal((await events.next())?.event, "status");
    const feed = h.api.deps.progress as RedisProgressFeed;
    assert.equal(feed.openChannels, 1);
    ac.abort();
    await waitFor(() => feed.openChannels === 0, 5000, "channel released after disconnect");
  });
});

/**
 * lib/store's MongoConnection against FerretDB through a TCP fault proxy: a client whose connections stop answering
 * can be replaced by a fresh one once the server answers a fresh client; while the server is really gone nothing is
 * replaced. (A client that really stays stuck could not be produced on demand: the chaos suite meets it.) The chaos suite covers the case that made it necessary (a client stuck after a FerretDB restart).
 */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { createLogger } from "../../lib/log.js";
import { MongoConnection } from "../../lib/store/index.js";
import { testEnv } from "../env/index.js";
import { FaultProxy } from "../support/fault-proxy.js";
import { waitFor } from "../support/wait.js";

/** A connection straight to the server (no proxy, never cut), with the time a loaded machine may need to connect. */
function healthyConnection(): MongoConnection {
  return new MongoConnection(testEnv().mongo.url, createLogger("mongo-connection-test", { level: "silent" }), {
    client: { serverSelectionTimeoutMS: 20_000, heartbeatFrequencyMS: 60_000 },
  });
}

describe("MongoConnection (FerretDB behind a fault proxy)", function () {
  this.timeout(60_000);
  let proxy: FaultProxy;
  let conn: MongoConnection;

  before(async () => {
    proxy = await FaultProxy.to(testEnv().mongo.url).start();
    conn = new MongoConnection(proxy.through(testEnv().mongo.url), createLogger("mongo-connection-test", { level: "silent" }), {
      pingMs: 200,
      renewAfterMs: 1_000,
      client: { serverSelectionTimeoutMS: 1_000, socketTimeoutMS: 1_000, heartbeatFrequencyMS: 60_000 },
    });
    await conn.connect();
  });

  after(async () => {
    await conn?.close();
    await proxy?.stop();
  });

  it("keeps the client while the server is unreachable for longer than renewAfterMs (a fresh client would fail too)", async () => {
    const db = conn.db("mongo_connection_test");
    await db.collection("docs").insertOne({ at: "before" });
    proxy.down();
    await sleep(3_000);
    assert.equal(conn.renewals, 0, "no client replaced while MongoDB is gone");
    proxy.restore();
    await waitFor(async () => Boolean(await conn.db("mongo_connection_test").collection("docs").findOne({ at: "before" }).catch(() => null)), 20_000, "reads again");
  });

  it("renew(): a fresh client that answers replaces the old one (a 'renewed' event), and the old one is closed", async () => {
    // A connection of its own, to a server that never went away: renew() joins an attempt already under way, and
    // the one above may still have one from its outage (false, rightly); and the fresh client gets the time a
    // loaded machine may need to connect (the 1 s above is for outages to show quickly).
    const healthy = healthyConnection();
    const events: number[] = [];
    healthy.on("renewed", () => events.push(Date.now()));
    try {
      await healthy.connect();
      const before = healthy.client;
      assert.equal(await healthy.renew(), true);
      assert.notEqual(healthy.client, before);
      assert.equal(events.length, 1);
      assert.equal(healthy.renewals, 1);
      assert.ok(await healthy.db("mongo_connection_test").collection("docs").findOne({ at: "before" }), "the new client reads the same data");
      await assert.rejects(before.db("mongo_connection_test").collection("docs").findOne({}), /must be connected/);
    } finally {
      await healthy.close();
    }
  });

  it("liveDb(): a collection taken before a renewal acts through the new client after it", async () => {
    const healthy = healthyConnection(); // as above
    try {
      await healthy.connect();
      const docs = healthy.liveDb("mongo_connection_test").collection<{ at: string }>("docs");
      await docs.insertOne({ at: "live-before" });
      const before = healthy.client;
      assert.equal(await healthy.renew(), true);
      await assert.rejects(before.db("mongo_connection_test").collection("docs").findOne({}), /must be connected/, "the old client is closed");
      await docs.insertOne({ at: "live-after" });
      assert.deepEqual((await docs.find({ at: /^live-/ }).sort({ at: 1 }).toArray()).map((d) => d.at), ["live-after", "live-before"]);
    } finally {
      await healthy.close();
    }
  });

  it("renew() while the server is gone keeps the client", async () => {
    const before = conn.client;
    proxy.down();
    try {
      assert.equal(await conn.renew(), false);
      assert.equal(conn.client, before);
    } finally {
      proxy.restore();
    }
  });
});

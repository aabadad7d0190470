/**
 * Proves each service of the test environment is the real thing, through the same client libraries the
 * product uses. If one of these fails, every other suite's result is suspect.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, ModifyVpcAttributeCommand } from "@aws-sdk/client-ec2";
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import * as k8s from "@kubernetes/client-node";
import { Redis } from "ioredis";
import { MongoClient, MongoServerError } from "mongodb";
import { testEnv, testStack } from "../env/index.js";
import { waitFor } from "../support/wait.js";

const run = promisify(execFile);

describe("test environment: real services", function () {
  this.timeout(60_000);

  it("kube-apiserver: applies a CRD, then creates, gets and watches a custom object", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(testEnv().kube.kubeconfigPath);
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const objects = kc.makeApiClient(k8s.CustomObjectsApi);
    const group = "smoke.example.com";
    await ext.createCustomResourceDefinition({
      body: {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: `widgets.${group}` },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: { spec: { type: "object", properties: { size: { type: "integer", maximum: 10 } } } },
                },
              },
            },
          ],
        },
      },
    });
    await waitFor(async () => {
      const crd = await ext.readCustomResourceDefinition({ name: `widgets.${group}` });
      return crd.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") ?? false;
    });

    // Established can precede the first successful list by a moment; watch from the list's resourceVersion.
    let resourceVersion = "";
    await waitFor(async () => {
      const list = (await objects.listNamespacedCustomObject({ group, version: "v1", namespace: "default", plural: "widgets" })) as {
        metadata: { resourceVersion: string };
      };
      resourceVersion = list.metadata.resourceVersion;
      return true;
    });
    const seen: string[] = [];
    let watchError: unknown;
    const watch = new k8s.Watch(kc);
    const req = await watch.watch(
      `/apis/${group}/v1/namespaces/default/widgets`,
      { resourceVersion },
      (type: string, obj: { metadata?: { name?: string } }) => seen.push(`${type} ${obj.metadata?.name}`),
      (err: unknown) => (watchError = err),
    );
    try {
      await objects.createNamespacedCustomObject({
        group,
        version: "v1",
        namespace: "default",
        plural: "widgets",
        body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w1" }, spec: { size: 3 } },
      });
      const got = (await objects.getNamespacedCustomObject({
        group,
        version: "v1",
        namespace: "default",
        plural: "widgets",
        name: "w1",
      })) as { spec: { size: number } };
      assert.equal(got.spec.size, 3);
      await waitFor(() => seen.includes("ADDED w1") || watchError !== undefined);
      assert.equal(watchError, undefined, "the watch ended early");
      // The apiserver validates against the schema: a real server, not a key-value store.
      await assert.rejects(
        objects.createNamespacedCustomObject({
          group,
          version: "v1",
          namespace: "default",
          plural: "widgets",
          body: { apiVersion: `${group}/v1`, kind: "Widget", metadata: { name: "w2" }, spec: { size: 11 } },
        }),
        (err: unknown) => err instanceof k8s.ApiException && err.code === 422,
      );
    } finally {
      req.abort();
    }
  });

  it("kube-apiserver: RBAC denies the unprivileged user", async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(testEnv().kube.userKubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(core.listNamespace(), (err: unknown) => err instanceof k8s.ApiException && err.code === 403);
  });

  it("a crashed FerretDB comes back on the same URL with its data, and Redis on its port (the chaos suite relies on both)", async () => {
    const mongo = await MongoClient.connect(testEnv().mongo.url);
    const redis = new Redis(testEnv().redis.url, { maxRetriesPerRequest: null });
    redis.on("error", () => {}); // refused while it is down; it reconnects by itself
    try {
      await mongo.db("smoke-restart").collection("kept").insertOne({ _id: "before" as never });
      await testStack().restart("ferretdb", { downMs: 200 });
      await testStack().restart("redis", { downMs: 200 });
      // Fresh clients on the first URLs: a restart on another port would refuse them.
      const again = await MongoClient.connect(testEnv().mongo.url, { serverSelectionTimeoutMS: 5_000 });
      try {
        assert.ok(await again.db("smoke-restart").collection("kept").findOne({ _id: "before" as never }));
      } finally {
        await again.close();
      }
      assert.equal(await redis.ping(), "PONG"); // Redis runs without persistence: only the port and the ACL users are kept
      // Each component's user survives the restart (the ACL file): otherwise every component gets WRONGPASS.
      const operator = new Redis(testEnv().redis.clients.operator, { maxRetriesPerRequest: 1, lazyConnect: true });
      operator.on("error", () => {});
      try {
        await operator.connect();
        assert.equal(await operator.ping(), "PONG");
      } finally {
        operator.disconnect();
      }
    } finally {
      await mongo.close();
      redis.disconnect();
    }
  });

  it("FerretDB: insert, find, findOneAndUpdate, and a unique index that rejects a duplicate", async () => {
    const client = await MongoClient.connect(testEnv().mongo.url);
    try {
      const users = client.db("smoke").collection<{ email: string; n: number }>("users");
      await users.createIndex({ email: 1 }, { unique: true });
      await users.insertOne({ email: "a@example.com", n: 1 });
      assert.equal((await users.findOne({ email: "a@example.com" }))?.n, 1);
      const updated = await users.findOneAndUpdate(
        { email: "a@example.com", n: 1 },
        { $inc: { n: 1 } },
        { returnDocument: "after" },
      );
      assert.equal(updated?.n, 2);
      await assert.rejects(
        users.insertOne({ email: "a@example.com", n: 9 }),
        (err: unknown) => err instanceof MongoServerError && err.code === 11000,
      );
    } finally {
      await client.close();
    }
  });

  it("Redis: XADD then XREADGROUP through a consumer group", async () => {
    const redis = new Redis(testEnv().redis.url);
    try {
      await redis.xgroup("CREATE", "smoke:stream", "g", "$", "MKSTREAM");
      const id = await redis.xadd("smoke:stream", "*", "key", "uploads/a/b.mp4");
      const res = (await redis.xreadgroup("GROUP", "g", "c1", "COUNT", 10, "STREAMS", "smoke:stream", ">")) as [
        string,
        [string, string[]][],
      ][];
      assert.equal(res[0]![1][0]![0], id);
      assert.deepEqual(res[0]![1][0]![1], ["key", "uploads/a/b.mp4"]);
      assert.equal(await redis.xack("smoke:stream", "g", id!), 1);
    } finally {
      redis.disconnect();
    }
  });

  it("MinIO: presigned PUT then GET; an expired URL is rejected", async () => {
    const { s3: e } = testEnv();
    const s3 = new S3Client({
      endpoint: e.endpoint,
      region: e.region,
      forcePathStyle: true,
      credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey },
    });
    await s3.send(new CreateBucketCommand({ Bucket: "smoke" }));
    const put = await getSignedUrl(s3, new PutObjectCommand({ Bucket: "smoke", Key: "a@b/c d.txt" }), { expiresIn: 60 });
    assert.equal((await fetch(put, { method: "PUT", body: "hello" })).status, 200);
    const get = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "smoke", Key: "a@b/c d.txt" }), { expiresIn: 60 });
    assert.equal(await (await fetch(get)).text(), "hello");

    const expired = await getSignedUrl(s3, new GetObjectCommand({ Bucket: "smoke", Key: "a@b/c d.txt" }), { expiresIn: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const res = await fetch(expired);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /expired/i);
    // A tampered signature is refused too: SigV4 is really checked.
    assert.equal((await fetch(get.replace(/X-Amz-Signature=[0-9a-f]{4}/, "X-Amz-Signature=0000"))).status, 403);
  });

  it("moto: RegisterTaskDefinition, RunTask (Fargate, awsvpc), DescribeTasks, StopTask", async () => {
    const { ecs: e } = testEnv();
    const config = { endpoint: e.endpoint, region: e.region, credentials: { accessKeyId: e.accessKeyId, secretAccessKey: e.secretAccessKey } };
    const ec2 = new EC2Client(config);
    const ecs = new ECSClient(config);
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }));
    // Like a default VPC; moto's awsvpc task attachment needs the private DNS name this enables.
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpc.Vpc!.VpcId!, EnableDnsHostnames: { Value: true } }));
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.Vpc!.VpcId!, CidrBlock: "10.1.1.0/24" }));
    await ecs.send(new CreateClusterCommand({ clusterName: "smoke" }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "smoke",
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        cpu: "256",
        memory: "512",
        containerDefinitions: [{ name: "main", image: "example/transcoder:1", essential: true, cpu: 256, memory: 512 }],
      }),
    );
    const ran = await ecs.send(
      new RunTaskCommand({
        cluster: "smoke",
        taskDefinition: "smoke",
        launchType: "FARGATE",
        startedBy: "smoke-1",
        networkConfiguration: { awsvpcConfiguration: { subnets: [subnet.Subnet!.SubnetId!], securityGroups: [] } },
      }),
    );
    const arn = ran.tasks?.[0]?.taskArn;
    assert.ok(arn, "RunTask returned a task");
    const described = await ecs.send(new DescribeTasksCommand({ cluster: "smoke", tasks: [arn] }));
    assert.equal(described.tasks?.[0]?.startedBy, "smoke-1");
    const stopped = await ecs.send(new StopTaskCommand({ cluster: "smoke", task: arn, reason: "smoke test" }));
    assert.equal(stopped.task?.stoppedReason, "smoke test");
  });

  it("ffmpeg/ffprobe: probes a clip that ffmpeg generated", async () => {
    const { tools, tmpDir } = testEnv();
    const file = join(tmpDir, "smoke.mp4");
    await run(tools.ffmpeg, [
      "-hide_banner", "-loglevel", "error", "-y",
      "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1",
      "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
      "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest", file,
    ]);
    const { stdout } = await run(tools.ffprobe, ["-v", "error", "-show_streams", "-of", "json", file]);
    const streams = (JSON.parse(stdout) as { streams: { codec_type: string; width?: number; height?: number }[] }).streams;
    assert.deepEqual(
      streams.map((s) => s.codec_type).sort(),
      ["audio", "video"],
    );
    assert.equal(streams.find((s) => s.codec_type === "video")?.width, 320);
  });

  it("helm: the pinned helm runs", async () => {
    const { stdout } = await run(testEnv().tools.helm, ["version", "--short"]);
    assert.match(stdout, /^v3\.\d+\.\d+/, "helm reports its full version (set at build time)");
  });
});

/**
 * S3 event records in the two shapes senders use: AWS's (documented notification-content-structure,
 * eventVersion 2.1) and MinIO's webhook (from MinIO's docs: eventSource "minio:s3", "s3:"-prefixed
 * event names, contentType and userMetadata on the object). Keys are given already URL-encoded, as sent.
 */
export interface RecordParts {
  key: string;
  bucket?: string;
  eTag?: string | null;
  versionId?: string;
  size?: number;
  eventName?: string;
  contentType?: string;
}

export function awsRecord(p: RecordParts): Record<string, unknown> {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "us-east-1",
    eventTime: "2026-11-25T00:00:00.000Z",
    eventName: p.eventName ?? "ObjectCreated:Put",
    userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
    requestParameters: { sourceIPAddress: "203.0.113.7" },
    responseElements: { "x-amz-request-id": "C3D13FE58DE4C810", "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "uploads",
      bucket: { name: p.bucket ?? "uploads-bucket", ownerIdentity: { principalId: "A3NL1KOZZKExample" }, arn: `arn:aws:s3:::${p.bucket ?? "uploads-bucket"}` },
      object: {
        key: p.key,
        size: p.size ?? 1024,
        ...(p.eTag === null ? {} : { eTag: p.eTag ?? "d41d8cd98f00b204e9800998ecf8427e" }),
        ...(p.versionId ? { versionId: p.versionId } : {}),
        sequencer: "0055AED6DCD90281E5",
      },
    },
  };
}

export function minioRecord(p: RecordParts): Record<string, unknown> {
  return {
    eventVersion: "2.0",
    eventSource: "minio:s3",
    awsRegion: "",
    eventTime: "2026-11-25T00:00:00.000Z",
    eventName: p.eventName ?? "s3:ObjectCreated:Put",
    userIdentity: { principalId: "minioadmin" },
    requestParameters: { principalId: "minioadmin", region: "", sourceIPAddress: "127.0.0.1" },
    responseElements: { "x-amz-id-2": "dd9025bab4ad464b049177c95eb6ebf374d3b3fd1af9251148b658df7ac2e3e8", "x-amz-request-id": "1874A2C8E3B5A1F2", "x-minio-deployment-id": "0170a4cc-dca6-4e72-86f1-c0cc760dff7f", "x-minio-origin-endpoint": "http://127.0.0.1:9000" },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "Config",
      bucket: { name: p.bucket ?? "uploads-bucket", ownerIdentity: { principalId: "minioadmin" }, arn: `arn:aws:s3:::${p.bucket ?? "uploads-bucket"}` },
      object: {
        key: p.key,
        size: p.size ?? 2048,
        ...(p.eTag === null ? {} : { eTag: p.eTag ?? "5fc7298143efe1276d39a3466d4e255f" }),
        contentType: p.contentType ?? "video/mp4",
        userMetadata: { "content-type": p.contentType ?? "video/mp4" },
        sequencer: "15CFEDF8D5304D1A",
        ...(p.versionId ? { versionId: p.versionId } : {}),
      },
    },
    source: { host: "127.0.0.1", port: "", userAgent: "MinIO (linux; amd64) minio-go/v7.0.70" },
  };
}

/** MinIO's webhook body: {EventName, Key: "<bucket>/<key>", Records: [record]}. */
export function minioWebhookBody(record: Record<string, unknown>): Record<string, unknown> {
  const s3 = record.s3 as { bucket: { name: string }; object: { key: string } };
  return { EventName: record.eventName, Key: `${s3.bucket.name}/${s3.object.key}`, Records: [record] };
}

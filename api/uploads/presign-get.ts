import { createHash, createHmac } from "node:crypto";
import { GetObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";

/** Signs GET URLs of one bucket with one expiry; each call is a few microseconds of HMAC. */
export type GetSigner = (key: string) => string;

/** RFC 3986 encoding as S3 wants it in a path segment (what the AWS SDK's extendedEncodeURIComponent does). */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

interface BucketUrl {
  origin: string;
  host: string;
  /** The path before the key: "/<bucket>/" path-style, "/" virtual-hosted. */
  basePath: string;
  region: string;
}

/**
 * SigV4 query-string signing of S3 GETs (what getSignedUrl does) for many keys at once: a media playlist of a long
 * video names thousands of segments, and getSignedUrl costs about 0.4 ms a URL (its whole middleware stack), this
 * a few microseconds once the signing key is derived. Where the bucket's URLs live (path or virtual-hosted style,
 * custom endpoint, signing region) is learnt once per bucket from one URL the SDK signs, so the SDK's endpoint rules
 * stay the only ones. Credentials come from the client's provider on every batch (a role's are refreshed there).
 */
export class GetPresigner {
  private readonly buckets = new Map<string, Promise<BucketUrl>>();

  constructor(
    private readonly s3: S3Client,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private bucketUrl(bucket: string): Promise<BucketUrl> {
    let known = this.buckets.get(bucket);
    if (!known) {
      known = getSignedUrl(this.s3, new GetObjectCommand({ Bucket: bucket, Key: "k" }), { expiresIn: 60 }).then((signed) => {
        const url = new URL(signed);
        const scope = (url.searchParams.get("X-Amz-Credential") ?? "").split("/");
        if (!url.pathname.endsWith("/k") || scope.length !== 5) throw new Error(`cannot read the URL form of bucket ${bucket} from ${url.origin}${url.pathname}`);
        return { origin: url.origin, host: url.host, basePath: url.pathname.slice(0, -1), region: scope[2]! };
      });
      known.catch(() => this.buckets.delete(bucket));
      this.buckets.set(bucket, known);
    }
    return known;
  }

  async signer(bucket: string, expiresSeconds: number): Promise<GetSigner> {
    const [where, creds] = await Promise.all([this.bucketUrl(bucket), this.s3.config.credentials()]);
    const now = this.now();
    const stamp = amzDate(now);
    const day = stamp.slice(0, 8);
    const scope = `${day}/${where.region}/s3/aws4_request`;
    const signingKey = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), where.region), "s3"), "aws4_request");
    // Sorted by name, as the canonical request needs them (and as the SDK prints them).
    const params: [string, string][] = [
      ["X-Amz-Algorithm", "AWS4-HMAC-SHA256"],
      ["X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"],
      ["X-Amz-Credential", `${creds.accessKeyId}/${scope}`],
      ["X-Amz-Date", stamp],
      ["X-Amz-Expires", String(expiresSeconds)],
      ...(creds.sessionToken ? [["X-Amz-Security-Token", creds.sessionToken] as [string, string]] : []),
      ["X-Amz-SignedHeaders", "host"],
      ["x-id", "GetObject"],
    ];
    const query = params.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
    return (key) => {
      const path = where.basePath + key.split("/").map(encode).join("/");
      const request = `GET\n${path}\n${query}\nhost:${where.host}\n\nhost\nUNSIGNED-PAYLOAD`;
      const toSign = `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n${createHash("sha256").update(request, "utf8").digest("hex")}`;
      const signature = createHmac("sha256", signingKey).update(toSign, "utf8").digest("hex");
      return `${where.origin}${path}?${query.replace("&X-Amz-SignedHeaders=", `&X-Amz-Signature=${signature}&X-Amz-SignedHeaders=`)}`;
    };
  }
}

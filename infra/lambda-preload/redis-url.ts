// Loaded into the upload Lambda with NODE_OPTIONS="--import /opt/tj/redis-url.mjs", before the runtime loads the
// handler: reads the Redis URL from Secrets Manager through the AWS Parameters and Secrets Lambda Extension
// (a local HTTP cache on port 2773, authenticated with the function's session token) and sets REDIS_URL, which
// lambda/config.ts reads. The handler stays the project's bundle, unchanged, and the URL is never in the
// function's configuration. No dependencies: buildPreload() (build.ts) compiles it to the layer's one file.
const secretId = process.env.TJ_REDIS_URL_SECRET_ID;

if (secretId && !process.env.REDIS_URL) {
  const port = process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT || "2773";
  const url = `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
  const headers = { "X-Aws-Parameters-Secrets-Token": process.env.AWS_SESSION_TOKEN || "" };
  const attempts = Number(process.env.TJ_REDIS_URL_SECRET_ATTEMPTS || 30);
  let failure = "no attempt made";
  // The extension starts beside the runtime; give it up to ~3 s to answer.
  for (let i = 0; i < attempts && !process.env.REDIS_URL; i++) {
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(2000) });
      if (res.ok) {
        const body = (await res.json()) as { SecretString?: unknown };
        if (typeof body.SecretString === "string" && body.SecretString !== "") process.env.REDIS_URL = body.SecretString;
        else failure = "the secret has no SecretString";
      } else failure = `the extension answered HTTP ${res.status}`;
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    }
    if (!process.env.REDIS_URL) await new Promise((r) => setTimeout(r, 100));
  }
  // The message names the secret, never a value; the runtime reports it as an init error and Lambda retries.
  if (!process.env.REDIS_URL) throw new Error(`could not read the Redis URL secret ${secretId}: ${failure}`);
}

export {};

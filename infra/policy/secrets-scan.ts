/**
 * Recognises secrets written as plain values. Names: the contract's secret settings and anything called a password,
 * token, key or credential; a `*_SECRET_ID`/`*_ARN` is a reference and allowed. Values: URLs with a password,
 * AWS access key IDs, PEM private keys.
 */
const SECRET_SETTING_NAMES = new Set(["MONGODB_URL", "REDIS_URL", "TJ_REDIS_URL", "TASK_REDIS_URL", "API_SESSION_KEYS", "MONGO_URL"]);
const SECRET_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|CREDENTIAL|API_KEY|ACCESS_KEY)/i;
const REFERENCE_NAME = /(_SECRET_ID|_ARN|_SECRET_NAME)$/i;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^@\s/]+@/i;
const AWS_ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z0-9]{16}\b/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Why `value` looks like a secret, or undefined. */
export function secretValueReason(value: string): string | undefined {
  if (URL_WITH_PASSWORD.test(value)) return "a URL with a password";
  if (AWS_ACCESS_KEY_ID.test(value)) return "an AWS access key ID";
  if (PRIVATE_KEY.test(value)) return "a private key";
  return undefined;
}

/** Why the variable `name=value` is a plaintext secret, or undefined. */
export function plaintextSecretReason(name: string, value: string): string | undefined {
  if (SECRET_SETTING_NAMES.has(name.toUpperCase())) return `${name} is a secret setting: pass it by reference`;
  if (SECRET_NAME.test(name) && !REFERENCE_NAME.test(name)) return `${name} is named like a secret`;
  const reason = secretValueReason(value);
  return reason === undefined ? undefined : `${name} holds ${reason}`;
}

/** Every plaintext secret among environment variables. */
export function envFindings(env: Record<string, unknown> | undefined): string[] {
  return Object.entries(env ?? {}).flatMap(([name, value]) => {
    const reason = plaintextSecretReason(name, String(value));
    return reason === undefined ? [] : [reason];
  });
}

/** Every string anywhere in `value` that looks like a secret, with its path. */
export function deepFindings(value: unknown, path = ""): string[] {
  if (typeof value === "string") {
    const reason = secretValueReason(value);
    return reason === undefined ? [] : [`${path || "(value)"} holds ${reason}`];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => deepFindings(v, `${path}[${i}]`));
  if (value !== null && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => {
      const here = path ? `${path}.${k}` : k;
      if (typeof v === "string" && SECRET_SETTING_NAMES.has(k.toUpperCase())) return [`${here} is a secret setting: pass it by reference`];
      return deepFindings(v, here);
    });
  return [];
}

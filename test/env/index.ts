import type { TestEnv } from "./types.js";

export type { TestEnv, KubeEndpoint, S3Endpoint, EcsEndpoint } from "./types.js";
export { startStack, type Stack, type StackOptions } from "./stack.js";

let current: TestEnv | undefined;

/** Set by the mocha global fixture (test/env/fixture.ts) once every service is ready. */
export function setTestEnv(env: TestEnv | undefined): void {
  current = env;
}

/**
 * The endpoints of this run's real services. Throws when the fixture did not run (e.g. a suite started with
 * `npm run test:unit`), so a suite that needs a service fails loudly instead of skipping.
 */
export function testEnv(): TestEnv {
  if (!current) {
    throw new Error(
      "the test environment is not started: run this suite with `npm test` or `npm run test:file -- <file>` (they load test/env/fixture.ts)",
    );
  }
  return current;
}

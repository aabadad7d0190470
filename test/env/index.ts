import type { Stack as StackOf, StackEnv } from "../../stack/index.js";

/** The endpoints of this run's real services (the embedded stack's, see stack/). */
export type TestEnv = StackEnv;
export type { KubeEndpoint, S3Endpoint, EcsEndpoint } from "../../stack/index.js";
export { startStack, type Stack, type StackOptions } from "../../stack/index.js";
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

let currentStack: StackOf | undefined;

/** Set by the mocha global fixture alongside the endpoints. */
export function setTestStack(stack: StackOf | undefined): void {
  currentStack = stack;
}

/** The running stack itself, for suites that restart its servers (the chaos suite). */
export function testStack(): StackOf {
  if (!currentStack) throw new Error("the test environment is not started (see testEnv())");
  return currentStack;
}

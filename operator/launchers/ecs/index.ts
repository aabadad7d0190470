/** The ECS (Fargate) TaskLauncher. */
export { EcsLauncher, startedByFor, clientTokenFor, type EcsLauncherOptions } from "./ecs-launcher.js";
export { mapEcsError, isCapacityFailure } from "./errors.js";
export { DescribeBatcher } from "./describe-batcher.js";

/** The podman TaskLauncher: the transcoder image as a local container (the embedded mode without ECS). */
export { ContainerLauncher, type ContainerLauncherOptions } from "./container-launcher.js";

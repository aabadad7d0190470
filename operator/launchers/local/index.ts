export { LocalLauncher, INHERITED_ENV, type LocalLauncherOptions } from "./local-launcher.js";

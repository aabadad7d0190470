/**
 * Headless Debian Chromium driven by playwright-core, with page.html's hls.js player loaded. Typed wrappers
 * around the page's window.player API. No browser is ever downloaded: a missing Chromium is an error that says
 * how to install it (scripts/testenv/install.sh installs Debian's package).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export interface PlayerSupport {
  hls: boolean;
  hlsVersion: string;
  h264aac: boolean;
  frameCallback: boolean;
}

export interface PlayerLevel {
  width: number;
  height: number;
  bitrate: number;
  averageBitrate: number | undefined;
  videoCodec: string | undefined;
  audioCodec: string | undefined;
  frameRate: number;
  url: string;
}

export interface LoadedFrag {
  level: number;
  sn: number | "initSegment";
  start: number;
  duration: number;
  url: string;
  bytes: number;
  buffered: boolean;
}

export interface PlayerError {
  type: string;
  details: string;
  fatal: boolean;
  reason: string;
  url: string;
}

export interface PlayerState {
  currentTime: number;
  duration: number;
  paused: boolean;
  ended: boolean;
  readyState: number;
  videoWidth: number;
  videoHeight: number;
  decodedFrames: number;
  droppedFrames: number;
  framesPresented: number;
  lastFrame: { mediaTime: number; width: number; height: number } | undefined;
  currentLevel: number;
  switched: number[];
  frags: LoadedFrag[];
  errors: PlayerError[];
  mediaError: string | undefined;
}

/** The page's API (page.html), as seen from the page's global object. */
interface PageApi {
  support(): PlayerSupport;
  start(src: string): Promise<PlayerLevel[]>;
  play(): Promise<void>;
  switchTo(level: number): { currentTime: number; frags: number; framesPresented: number };
  state(): PlayerState;
}
/** The page's global object. Functions passed to page.evaluate run in the page, so they name it inline. */
type PageGlobal = { player: PageApi };

export function findChromium(): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    const bin = join(dir, "chromium");
    if (dir && existsSync(bin)) return bin;
  }
  throw new Error(
    "Chromium is not installed (no `chromium` on PATH): the HLS player test needs Debian's chromium package. " +
      "Run `npm run testenv:install` (scripts/testenv/install.sh installs it with apt).",
  );
}

export interface Player {
  page: Page;
  support(): Promise<PlayerSupport>;
  start(src: string): Promise<PlayerLevel[]>;
  play(): Promise<void>;
  switchTo(level: number): Promise<{ currentTime: number; frags: number; framesPresented: number }>;
  state(): Promise<PlayerState>;
  /** Messages the page printed to its console and uncaught page errors, for failure output. */
  console: string[];
  close(): Promise<void>;
}

export async function openPlayer(pageUrl: string): Promise<Player> {
  const browser: Browser = await chromium.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  try {
    const page = await browser.newPage();
    const consoleLines: string[] = [];
    page.on("console", (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(pageUrl);
    return {
      page,
      console: consoleLines,
      support: () => page.evaluate(() => (globalThis as unknown as PageGlobal).player.support()),
      start: (src) => page.evaluate((s) => (globalThis as unknown as PageGlobal).player.start(s), src),
      play: () => page.evaluate(() => (globalThis as unknown as PageGlobal).player.play()),
      switchTo: (level) => page.evaluate((l) => (globalThis as unknown as PageGlobal).player.switchTo(l), level),
      state: () => page.evaluate(() => (globalThis as unknown as PageGlobal).player.state()),
      close: () => browser.close(),
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

// Shared helpers for the browser tests: a local static server over dist/ and a Chromium launcher
// (Debian's /usr/bin/chromium driven by playwright-core; flags from ../shared/TOOLCHAIN.md).
import { spawn } from "node:child_process";
import { mkdirSync, existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The real CSVs, found as `catalog::default_data_dir` finds them: $SOUNDALIKE_DATA, else the
 * nearest `shared/data` above the checkout or the working folder, else /work/shared/data. */
export const DATA = (() => {
  if (process.env.SOUNDALIKE_DATA) return process.env.SOUNDALIKE_DATA;
  for (const start of [ROOT, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      if (existsSync(path.join(dir, "shared", "data"))) return path.join(dir, "shared", "data");
      if (path.dirname(dir) === dir) break;
    }
  }
  return "/work/shared/data";
})();
export const DIST = process.env.SOUNDALIKE_DIST || path.join(ROOT, "dist");
export const SHOTS = path.join(ROOT, "tests", "screenshots");
mkdirSync(SHOTS, { recursive: true });

// --headless is added by playwright itself, and launch() already uses a fresh temporary profile
// (the equivalent of a fresh --user-data-dir).
export const CHROMIUM_ARGS = [
  "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on("error", reject);
  });
}

async function waitForPort(port, ms = 10000) {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const ok = await new Promise((r) => {
      const c = net.connect(port, "127.0.0.1", () => { c.end(); r(true); });
      c.on("error", () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`static server did not start on ${port}`);
}

/** Serve `dir` with python3 http.server on 127.0.0.1; returns { url, close }. */
export async function serve(dir = DIST) {
  if (!existsSync(path.join(dir, "index.html"))) throw new Error(`${dir}/index.html missing: build the site first (scripts/test-browser.sh does)`);
  const port = await freePort();
  const proc = spawn("python3", ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", dir], { stdio: "ignore" });
  await waitForPort(port);
  return { url: `http://127.0.0.1:${port}`, close: () => proc.kill() };
}

export async function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export async function shot(page, name, opts = {}) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, ...opts });
  return file;
}

/** Wait until the page says "ready: N tracks in X ms"; returns that text. */
export async function waitReady(page, timeout = 60000) {
  const status = page.getByTestId("status");
  await status.getByText(/ready: \d+ tracks in \d+ ms/).waitFor({ timeout });
  // every panel rendered (the page renders in stages after ready)
  await page.locator('main[data-stage="5"]').waitFor({ timeout });
  return status.innerText();
}

export async function recTitles(page) {
  return page.locator('[data-testid="recs"] li.rec .title').allInnerTexts();
}

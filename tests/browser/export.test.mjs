// Taking a list out: CSV, M3U, JSPF and Spotify URIs of exactly what the page shows, in order,
// as downloads made on the device; and a plain "open in Spotify" link per track.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { serve, launch, waitReady } from "./helpers.mjs";

let server, browser, page, shown;

before(async () => {
  server = await serve();
  browser = await launch();
  const context = await browser.newContext({ acceptDownloads: true });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e.message));
  await page.goto(`${server.url}/#likes=1EzrEOXmMH3G43AXT1y7pA`);
  await waitReady(page);
  await page.locator('[data-testid="recs"] li.rec').first().waitFor();
  shown = await page.locator('[data-testid="recs"] li.rec').evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
});
after(async () => { await browser?.close(); server?.close(); });

async function exported(name) {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name }).click()]);
  return { file: dl.suggestedFilename(), text: readFileSync(await dl.path(), "utf8") };
}

test("CSV: a header and the shown tracks in order", async () => {
  const { file, text } = await exported("Export the list as CSV");
  assert.equal(file, "soundalike-recommendations.csv");
  const lines = text.trim().split("\r\n");
  assert.equal(lines[0], "id,title,artist,score,because");
  assert.equal(lines.length, shown.length + 1);
  assert.deepEqual(lines.slice(1).map((l) => l.split(",")[0]), shown);
  assert.match(lines[1], /I'm Yours — Jason Mraz/);
});

test("M3U and JSPF playlists hold every shown track", async () => {
  const m3u = (await exported("Export the list as an M3U playlist")).text;
  assert.ok(m3u.startsWith("#EXTM3U\n"));
  assert.equal((m3u.match(/^#EXTINF:-1,/gm) || []).length, shown.length);
  assert.ok(m3u.includes(`https://open.spotify.com/track/${shown[0]}`));
  const jspf = JSON.parse((await exported("Export the list as a JSPF playlist (ListenBrainz)")).text);
  assert.equal(jspf.playlist.track.length, shown.length);
  assert.deepEqual(jspf.playlist.track.map((t) => t.identifier[0].split("/").pop()), shown);
});

test("Spotify URIs, one per line, in the page's order", async () => {
  const uris = (await exported("Export the list as Spotify track URIs")).text.trim().split("\n");
  assert.deepEqual(uris, shown.map((id) => `spotify:track:${id}`));
});

test("each track links to its Spotify page, opened only on click", async () => {
  const link = page.locator('[data-testid="recs"] li.rec').first().locator("a.open-spotify");
  assert.equal(await link.getAttribute("href"), `https://open.spotify.com/track/${shown[0]}`);
  assert.equal(await link.getAttribute("rel"), "noopener noreferrer");
  assert.match(await link.getAttribute("aria-label"), /^Open .+ in Spotify$/);
});

// Dropping CSVs on the page: the hand-made Exportify fixtures (tests/fixtures) and files made at
// test time from ../shared/data into target/fixtures/ (never committed): counts, the added tracks
// (searchable, marked yours), their persistence in IndexedDB across reloads, "forget my tracks",
// bad input, a 100,000-row file read with progress, and a page without any catalog.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { serve, launch, waitReady, ROOT, SHOTS, DATA } from "./helpers.mjs";

const FIX = path.join(ROOT, "tests", "fixtures");
const OUT = path.join(ROOT, "target", "fixtures");
mkdirSync(OUT, { recursive: true });
const TIDY = readFileSync(path.join(DATA, "tidytuesday_spotify_songs", "spotify_songs.csv"), "utf8").split("\n");

// the first 60 TidyTuesday rows as they are (every track is in the catalog)
const slice = TIDY.slice(0, 61);
const sliceIds = [...new Set(slice.slice(1).map((l) => l.split(",")[0]))];
writeFileSync(path.join(OUT, "tidy-slice.csv"), slice.join("\n") + "\n");
// an Exportify-by-URI file: the hand-made rows plus five real ids of the slice
const uri = readFileSync(path.join(FIX, "exportify-uri.csv"), "utf8") +
  sliceIds.slice(0, 5).map((id) => `"spotify:track:${id}","x","","y","","","","","2001","","1","1","1000","","false","50","","",""\n`).join("");
writeFileSync(path.join(OUT, "exportify-mixed-uri.csv"), uri);
// the slice under invented ids: tracks the catalog lacks, in the TidyTuesday layout
const fakeId = (i) => "0" + String(i).padStart(21, "0");
const renamed = [slice[0], ...slice.slice(1, 31).map((l, i) => fakeId(i + 1) + l.slice(l.indexOf(",")))];
writeFileSync(path.join(OUT, "tidy-renamed.csv"), renamed.join("\n") + "\n");
// synthetic Exportify rows (invented ids and values), for the large files
const EXP_HEADER = readFileSync(path.join(FIX, "exportify-features.csv"), "utf8").split("\n")[0];
function bigExportify(n) {
  const rows = [EXP_HEADER];
  for (let i = 0; i < n; i++) {
    const f = (k) => (((i * 7919 + k * 104729) % 1000) / 1000).toFixed(3);
    rows.push(`"${fakeId(1_000_000 + i)}","a","Song ${i}","Album","Artist ${i % 500}","2010-01-01","200000","${i % 100}","u","2020-01-01T00:00:00Z","pop",` +
      `"${f(1)}","${f(2)}","5","${(-30 + 25 * f(3)).toFixed(2)}","1","${f(4)}","${f(5)}","${f(6)}","${f(7)}","${f(8)}","${(60 + 120 * f(9)).toFixed(1)}","4"`);
  }
  return rows.join("\n") + "\n";
}
writeFileSync(path.join(OUT, "exportify-10k.csv"), bigExportify(10_000));
writeFileSync(path.join(OUT, "exportify-100k.csv"), bigExportify(100_000));

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

async function open(ctx, routes = []) {
  const page = await ctx.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  for (const [pattern, status] of routes) await page.route(pattern, (r) => r.fulfill({ status, body: "no" }));
  await page.goto(server.url + "/");
  return page;
}

/** Pick files with the file input; wait until every file has an outcome; return their texts. */
async function pick(page, files) {
  await page.getByTestId("import-file").setInputFiles(files);
  return outcomes(page, Array.isArray(files) ? files.length : 1);
}

async function outcomes(page, n, timeout = 120000) {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="import-results"] > li').length >= n
    && !document.querySelector('[data-testid="import-progress"] progress'), n, { timeout });
  return page.locator('[data-testid="import-results"] > li').allInnerTexts();
}

/** A real drop: a DataTransfer with the file, dispatched on the drop zone. */
async function drop(page, name, text) {
  await page.evaluate(({ name, text }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], name, { type: "text/csv" }));
    const zone = document.querySelector('[data-testid="dropzone"]');
    zone.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, { name, text });
  return outcomes(page, 1);
}

async function search(page, q) {
  const box = page.locator("#search-input");
  await box.fill("");
  await box.fill(q);
  await page.locator("#search-results li").first().waitFor();
  return page.locator("#search-results li.hit").evaluateAll((els) => els.map((e) => ({
    title: e.querySelector(".title")?.textContent, meta: e.querySelector(".meta")?.textContent,
  })));
}

const likeCount = (page) => page.locator('[data-testid="likes"] li').count();

test("an Exportify file: counts, added tracks searchable and marked yours, kept after reload, forgotten", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await open(ctx);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await waitReady(page);
  await page.waitForLoadState("networkidle");
  requests.length = 0;
  const n0 = Number((await page.getByTestId("status").innerText()).match(/ready: (\d+) tracks/)[1]);
  const [text] = await pick(page, path.join(FIX, "exportify-features.csv"));
  assert.match(await page.getByTestId("status").innerText(), new RegExp(`ready: ${n0 + 4} tracks`));
  assert.match(text, /10 rows read as Exportify playlist export/);
  assert.match(text, /0 of 7 tracks found, added as likes/);
  assert.match(text, /4 tracks added to the catalog \(yours\)/);
  for (const line of [
    "1 row that is not well-formed CSV", "1 row whose track id is not a 22-character Spotify id",
    "1 row with an audio feature that is not a number", "1 row with a tempo of 0 or above 300 BPM",
    "1 row repeating a track id seen earlier in the file", "1 row without audio features, for tracks the catalog lacks",
  ]) assert.ok(text.includes(line), `${line} in ${text}`);
  await page.screenshot({ path: `${SHOTS}/20-import-exportify.png`, fullPage: true });

  let hits = await search(page, "paper lanterns");
  assert.equal(hits[0].title, "Paper Lanterns");
  assert.match(hits[0].meta, /^yours · 2019/);
  // HTML in a title is text: no element made of it
  hits = await search(page, "harbour lights");
  assert.equal(hits[0].title, "<img src=x onerror=alert(1)>Harbour Lights");
  assert.equal(await page.locator("#search-results img").count(), 0);
  // likeable, and recommendations follow
  hits = await search(page, "paper lanterns");
  await page.locator("#search-input").press("Enter");
  await page.locator('[data-testid="likes"] li', { hasText: "Paper Lanterns" }).waitFor();
  await page.locator("p.because").first().waitFor();
  assert.deepEqual(requests, [], "nothing is uploaded or fetched");

  // after a reload: still there, still liked
  await page.reload();
  await waitReady(page);
  await page.locator('[data-testid="likes"] li', { hasText: "Paper Lanterns" }).waitFor();
  hits = await search(page, "night bus home");
  assert.match(hits[0].meta, /^yours/);
  assert.match(await page.getByTestId("yours-count").innerText(), /4 of your tracks/);

  // forgotten: gone from search and likes, and after a reload too
  await page.getByTestId("forget-yours").click();
  await page.locator(".notice", { hasText: "forgotten" }).waitFor();
  assert.equal(await page.locator('[data-testid="likes"] li', { hasText: "Paper Lanterns" }).count(), 0);
  await page.locator("#search-input").fill("paper lanterns");
  await page.locator("#search-results li.empty").waitFor();
  await page.reload();
  await waitReady(page);
  await page.locator("#search-input").fill("night bus home");
  await page.locator("#search-results li.empty").waitFor();
  assert.equal(await page.getByTestId("yours-count").count(), 0);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test("a TidyTuesday slice by a real drag-and-drop, an Exportify-by-URI file and a renamed slice", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await open(ctx);
  await waitReady(page);
  let [text] = await drop(page, "tidy-slice.csv", readFileSync(path.join(OUT, "tidy-slice.csv"), "utf8"));
  assert.match(text, /60 rows read as TidyTuesday spotify_songs/);
  const n = sliceIds.length;
  assert.match(text, new RegExp(`${n} of ${n} tracks found, added as likes`));
  assert.equal(await likeCount(page), n);
  // the URI layout without features: the five real ids become likes (already liked: no change)
  [text] = await pick(page, path.join(OUT, "exportify-mixed-uri.csv"));
  assert.match(text, /5 of 8 tracks found, added as likes/);
  assert.match(text, /3 rows without audio features, for tracks the catalog lacks/);
  assert.match(text, /1 row whose track id is not a 22-character Spotify id/);
  assert.equal(await likeCount(page), n);
  // the same rows under new ids are tracks the catalog lacks
  [text] = await pick(page, path.join(OUT, "tidy-renamed.csv"));
  assert.match(text, /0 of 30 tracks found/);
  assert.match(text, /30 tracks added to the catalog \(yours\)/);
  await page.screenshot({ path: `${SHOTS}/21-import-tidy.png`, fullPage: true });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test("bad input gets a message and keeps the likes", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await waitReady(page);
  await search(page, "dance");
  await page.locator("#search-input").press("Enter");
  await page.locator('[data-testid="likes"] li').first().waitFor();
  const before = await likeCount(page);
  const files = [
    { name: "empty.csv", mimeType: "text/csv", buffer: Buffer.alloc(0) },
    { name: "cover.png", mimeType: "image/png", buffer: Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex") },
    { name: "colours.csv", mimeType: "text/csv", buffer: Buffer.from("name,colour\nsky,blue\n") },
    { name: "likes.json", mimeType: "application/json", buffer: Buffer.from('{"likes":["x"]}') },
  ];
  const texts = await pick(page, files);
  assert.match(texts[0], /empty\.csv: the file is empty/);
  assert.match(texts[1], /cover\.png: this is a PNG image, not a CSV file/);
  assert.match(texts[2], /colours\.csv: unknown CSV layout\. Columns found: name, colour\. Expected one of: .*Exportify/);
  assert.match(texts[3], /likes\.json: this is a JSON file/);
  assert.equal(await likeCount(page), before, "nothing already liked is lost");
  await page.screenshot({ path: `${SHOTS}/22-import-bad-input.png`, fullPage: true });
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test("100,000 rows: progress while reading, the page answers, every track added", async () => {
  const ctx = await browser.newContext();
  const page = await open(ctx);
  await waitReady(page);
  // 10,000 rows first: the time the page reports for reading them
  let [text] = await pick(page, path.join(OUT, "exportify-10k.csv"));
  const [, read10k, done10k] = text.match(/10000 rows read as .* in (\d+) ms, done in (\d+) ms/);
  assert.match(text, /10000 tracks added to the catalog \(yours\)/);
  console.log(`import of 10,000 Exportify rows: read in ${read10k} ms, done (added, encoded, saved) in ${done10k} ms (page's own measure)`);
  await page.getByTestId("forget-yours").click();
  await page.locator(".notice", { hasText: "forgotten" }).waitFor();

  await page.getByTestId("import-file").setInputFiles(path.join(OUT, "exportify-100k.csv"));
  // progress shows, and the page keeps answering while it grows
  const seen = new Set();
  const bar = page.locator('[data-testid="import-progress"] span');
  await bar.first().waitFor();
  for (let i = 0; i < 200 && (await bar.count()) > 0; i++) {
    const t = await bar.first().innerText().catch(() => "");
    if (t) seen.add(t);
    assert.equal(await page.evaluate(() => 1 + 1), 2);
  }
  assert.ok(seen.size >= 2, `progress updates seen: ${[...seen].join(" | ")}`);
  [text] = await outcomes(page, 1, 300000);
  assert.match(text, /100000 rows read/);
  assert.match(text, /100000 tracks added to the catalog \(yours\)/);
  const hits = await search(page, "Song 99999");
  assert.match(hits[0].meta, /^yours/);
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test("no catalog from the host: the page starts from the dropped CSVs, and keeps them", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await open(ctx, [["**/catalog.bin", 404]]);
  await page.getByTestId("no-catalog").getByText(/serves no catalog/).waitFor({ timeout: 60000 });
  await page.getByTestId("import-file").setInputFiles([path.join(OUT, "tidy-renamed.csv"), path.join(FIX, "exportify-features.csv")]);
  await waitReady(page);
  const texts = await outcomes(page, 2);
  assert.match(texts[0], /0 of 30 tracks found/);
  assert.match(texts[0], /30 tracks added to the catalog \(yours\)/, "the first file builds the catalog");
  assert.match(texts[1], /4 tracks added to the catalog \(yours\)/);
  assert.match(await page.getByTestId("status").innerText(), /ready: 34 tracks/);
  const hits = await search(page, "paper lanterns");
  assert.match(hits[0].meta, /^yours/);
  await page.locator("#search-input").press("Enter");
  await page.locator("p.because").first().waitFor();
  await page.screenshot({ path: `${SHOTS}/23-import-no-catalog.png`, fullPage: true });
  await page.reload();
  await waitReady(page);
  assert.match(await page.getByTestId("status").innerText(), /ready: 34 tracks/);
  await page.locator('[data-testid="likes"] li', { hasText: "Paper Lanterns" }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

test("use only my music and back: the catalog's likes are kept aside, not lost", async () => {
  const ctx = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await open(ctx);
  await waitReady(page);
  const n0 = Number((await page.getByTestId("status").innerText()).match(/ready: (\d+) tracks/)[1]);
  await search(page, "dance monkey");
  await page.locator("#search-input").press("Enter");
  await pick(page, path.join(FIX, "exportify-features.csv"));
  await search(page, "paper lanterns");
  await page.locator("#search-input").press("Enter");
  await page.locator('[data-testid="likes"] li', { hasText: "Paper Lanterns" }).waitFor();
  assert.equal(await likeCount(page), 2);

  await page.getByTestId("only-mine").click();
  await page.getByTestId("status").getByText(/ready: 4 tracks/).waitFor({ timeout: 60000 });
  assert.equal(await likeCount(page), 1, "only the liked track of my own is in my own catalog");
  await page.locator('[data-testid="likes"] li', { hasText: "Paper Lanterns" }).waitFor();
  await page.getByTestId("whole-catalog").waitFor();
  await page.screenshot({ path: `${SHOTS}/24-import-only-mine.png`, fullPage: true });

  await page.getByTestId("whole-catalog").click();
  await page.getByTestId("status").getByText(new RegExp(`ready: ${n0 + 4} tracks`)).waitFor({ timeout: 60000 });
  assert.equal(await likeCount(page), 2, "both likes are back");
  await page.locator('[data-testid="likes"] li', { hasText: "Dance Monkey" }).waitFor();
  assert.deepEqual(page.errors, []);
  await ctx.close();
});

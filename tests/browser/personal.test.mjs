// "A personal model you can carry": tune in one browser, save the model, clear everything, load the
// file, and get the same recommendations; the learned-features chart; a wrong file is refused and
// likes already there are kept.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serve, launch, waitReady, shot, DIST } from "./helpers.mjs";

const LIKES = ["1EzrEOXmMH3G43AXT1y7pA", "4hbGPfz03P8Nnh75mFIAoH", "6f807x0ima9a1j3VPbc7VN"];
const requests = [];
let recording = true; // off only while this test reloads the page itself
let server, browser, context, page, saved, tunedRecs;

const recIds = () => page.locator('[data-testid="recs"] li.rec').evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
const notices = () => page.locator(".notices .notice").allInnerTexts();

before(async () => {
  server = await serve();
  browser = await launch();
  context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1300, height: 1000 } });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e.message));
  await page.goto(`${server.url}/#likes=${LIKES.join(",")}`);
  await waitReady(page);
  await page.locator('[data-testid="recs"] li.rec').first().waitFor();
  // from here on nothing may leave the device (blob: downloads are made in the page)
  page.on("request", (r) => { if (recording && /^https?:/.test(r.url())) requests.push(r.url()); });
});
after(async () => { await browser?.close(); server?.close(); });

test("tune, then the chart shows what the model learned, with a text alternative", async () => {
  assert.equal(await page.locator("#save-model").isDisabled(), true, "nothing to save before tuning");
  await page.locator("#tune-btn").click();
  await page.getByTestId("tune-status").getByText(/tuned in \d+ ms/).waitFor({ timeout: 60000 });
  const chart = page.getByTestId("learned");
  await chart.waitFor();
  const rows = await chart.locator("g.learned-row").evaluateAll((els) => els.map((e) => ({ f: e.getAttribute("data-feature"), v: Number(e.getAttribute("data-value")) })));
  assert.equal(rows.length, 16);
  assert.ok(rows.every((r) => Number.isFinite(r.v) && Math.abs(r.v) <= 1), JSON.stringify(rows));
  assert.ok(rows.some((r) => Math.abs(r.v) > 0.01), "a tuned model learned something");
  // sorted from weighed up to weighed down, and the same numbers as text
  for (let k = 1; k < rows.length; k++) assert.ok(rows[k - 1].v >= rows[k].v);
  assert.equal(await chart.locator(".learned-text li").count(), 16);
  assert.match(await chart.locator("figcaption").innerText(), /correlation/);
  assert.match(await chart.locator("svg").getAttribute("aria-label"), /Bar chart/);
  await shot(chart, "learned-chart");
  tunedRecs = await recIds();
  assert.equal(tunedRecs.length, 20);
});

test("save my model, clear storage, load it: same likes, same recommendations", async () => {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.locator("#save-model").click()]);
  assert.equal(dl.suggestedFilename(), "soundalike-my-model.slmodel");
  saved = await dl.path();
  const bytes = readFileSync(saved);
  assert.equal(bytes.subarray(0, 7).toString("latin1"), "SLMODEL");

  await page.evaluate(() => localStorage.clear());
  recording = false;
  await page.goto(`${server.url}/`);
  await page.reload();
  await waitReady(page);
  recording = true;
  assert.equal(await page.locator('[data-testid="likes"] li').count(), 0, "storage cleared: no likes");
  assert.match(await page.getByTestId("tune-status").innerText(), /shipped model/);
  assert.notDeepEqual(await recIds(), tunedRecs);

  await page.locator("#load-model").setInputFiles(saved);
  await page.locator(".notices .notice", { hasText: "Loaded a model tuned on 3 likes; 3 likes added" }).waitFor();
  assert.equal(await page.locator('[data-testid="likes"] li').count(), 3);
  assert.match(await page.getByTestId("tune-status").innerText(), /tuned model/);
  await page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('[data-testid="recs"] li.rec')].map((e) => e.getAttribute("data-id"))) === JSON.stringify(want), tunedRecs, { timeout: 10000 });
  assert.deepEqual(await recIds(), tunedRecs);

  // kept across a reload like a model tuned here
  recording = false;
  await page.reload();
  await waitReady(page);
  recording = true;
  assert.deepEqual(await recIds(), tunedRecs);
});

test("in a fresh browser context: the saved file alone gives the same recommendations", async () => {
  const fresh = await browser.newContext();
  const p = await fresh.newPage();
  let loaded = false;
  p.on("request", (r) => { if (loaded && /^https?:/.test(r.url())) requests.push(r.url()); });
  await p.goto(`${server.url}/`);
  await waitReady(p);
  loaded = true;
  assert.equal(await p.locator('[data-testid="likes"] li').count(), 0);
  await p.locator("#load-model").setInputFiles(saved);
  await p.locator(".notices .notice", { hasText: "Loaded a model tuned on 3 likes; 3 likes added" }).waitFor();
  assert.match(await p.getByTestId("tune-status").innerText(), /tuned model/);
  await p.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('[data-testid="recs"] li.rec')].map((e) => e.getAttribute("data-id"))) === JSON.stringify(want), tunedRecs, { timeout: 10000 });
  await fresh.close();
});

test("in another browser with likes of its own: they are kept and the file's are added", async () => {
  const other = await browser.newContext();
  const p = await other.newPage();
  await p.goto(`${server.url}/#likes=${LIKES[0]},4uLU6hMCjMI75M1A2tKUQC`);
  await waitReady(p);
  const before = await p.locator('[data-testid="likes"] li').count();
  await p.locator("#load-model").setInputFiles(saved);
  const n = p.locator(".notices .notice", { hasText: "Loaded a model tuned on 3 likes" });
  await n.waitFor();
  assert.match(await n.innerText(), new RegExp(`3 likes; 2 likes added`));
  assert.equal(await p.locator('[data-testid="likes"] li').count(), before + 2);
  await other.close();
});

test("a file of another kind is refused and nothing changes", async () => {
  const likesBefore = await page.locator('[data-testid="likes"] li').count();
  await page.locator("#load-model").setInputFiles(path.join(DIST, "weights.bin"));
  await page.locator(".notices .notice", { hasText: "Could not load the model: this is not a saved model: it looks like the model weights file" }).waitFor();
  const corrupt = Buffer.from(readFileSync(saved));
  corrupt[corrupt.length - 5] ^= 0xff;
  await page.locator("#load-model").setInputFiles({ name: "broken.slmodel", mimeType: "application/octet-stream", buffer: corrupt });
  await page.locator(".notices .notice", { hasText: "the file is corrupt" }).waitFor();
  assert.equal(await page.locator('[data-testid="likes"] li').count(), likesBefore);
  assert.deepEqual(await recIds(), tunedRecs);
});

test("no network request after load", () => {
  assert.deepEqual(requests, []);
});

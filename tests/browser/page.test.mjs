// The main page, used as a listener would: search, like, sliders, fine-tune, reload, insight, new track.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, shot, waitReady, recTitles } from "./helpers.mjs";

let server, browser, context, page;

before(async () => {
  server = await serve();
  browser = await launch();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e.message));
});
after(async () => { await browser?.close(); server?.close(); });

test("loads with progress, then reports ready with the track count and time", async () => {
  await page.goto(server.url + "/");
  const text = await waitReady(page);
  const n = Number(text.match(/ready: (\d+) tracks/)[1]);
  assert.ok(n > 1000, `expected a full catalog, got ${n}`);
  await page.getByTestId("cold-hint").waitFor();
  assert.ok((await recTitles(page)).length >= 10, "cold-start list shown");
  assert.match(await page.locator("#privacy").innerText(), /no network request/);
  await shot(page, "01-cold-start");
});

test("the catalog, the weights and the engine worker start before the wasm runs, each once", async () => {
  // early.js starts them while the wasm loads; the page adopts them instead of starting its own
  const ctx = await browser.newContext();
  const p = await ctx.newPage();
  const fetched = [];
  ctx.on("request", (r) => fetched.push(new URL(r.url()).pathname.split("/").pop()));
  await p.goto(server.url + "/");
  await waitReady(p);
  const count = (name) => fetched.filter((f) => f === name).length;
  assert.deepEqual([count("catalog.bin"), count("weights.bin"), count("engine-worker.js")], [1, 1, 1], fetched.join(" "));
  const order = await p.evaluate(() => {
    const start = (name) => performance.getEntriesByType("resource").find((e) => e.name.endsWith("/" + name))?.startTime;
    const wasm = performance.getEntriesByName("soundalike:page-start")[0]?.startTime;
    return { catalog: start("catalog.bin"), weights: start("weights.bin"), wasm };
  });
  assert.ok(order.catalog < order.wasm && order.weights < order.wasm, JSON.stringify(order));
  await ctx.close();
});

let coldRecs;
test("search as you type, like three tracks with keyboard and mouse, recommendations change", async () => {
  coldRecs = await recTitles(page);
  const box = page.locator("#search-input");
  await box.click();
  await box.pressSequentially("love", { delay: 20 });
  await page.locator("#search-results li.hit").first().waitFor();
  assert.ok((await page.locator("#search-results li.hit").count()) > 3);
  await box.press("Enter"); // likes the active (first) hit
  await box.press("ArrowDown");
  await box.press("Enter"); // likes the second hit
  await box.press("Escape");
  assert.equal(await page.locator("#search-results li.hit").count(), 0, "Escape clears the results");
  await box.fill("");
  await box.pressSequentially("queen", { delay: 20 });
  await page.locator("#search-results li.hit").first().waitFor();
  await page.locator("#search-results li.hit").nth(0).getByRole("button", { name: /Like/ }).click();
  await page.getByText("Your likes (3)").waitFor();
  await box.press("Escape");
  await page.locator("p.because").first().waitFor();
  const recs = await recTitles(page);
  assert.notDeepEqual(recs, coldRecs, "recommendations changed after liking");
  assert.equal(await page.getByTestId("cold-hint").count(), 0, "cold-start hint gone");
  assert.match(await page.locator("li.rec").first().innerText(), /because you liked/);
  assert.ok((await page.locator("li.rec").first().locator(".bar-row").count()) >= 3, "contribution bars");
  await shot(page, "02-recommendations");
});

test("moving a slider re-ranks at once", async () => {
  const before = await recTitles(page);
  await page.locator("#energy-target").fill("0.02");
  await page.waitForFunction((b) => {
    const now = [...document.querySelectorAll('[data-testid="recs"] li.rec .title')].map((e) => e.innerText);
    return JSON.stringify(now) !== JSON.stringify(b);
  }, before, { timeout: 5000 });
  const after = await recTitles(page);
  assert.notDeepEqual(after, before);
  await page.locator(".controls-panel").screenshot({ path: (await import("./helpers.mjs")).SHOTS + "/03-sliders.png" });
  await page.locator("#diversity").fill("0.6");
  await page.locator("#reach").check();
  await page.getByRole("button", { name: "Reset all bounds" }).click();
});

test("Tune to me runs to the end with a live loss curve and a before/after comparison", async () => {
  await page.locator("#tune-btn").click();
  await page.getByTestId("tune-status").getByText(/tuned in \d+ ms/).waitFor({ timeout: 60000 });
  assert.ok((await page.locator('[data-testid="loss-curve"] polyline').count()) === 1, "loss curve drawn");
  await page.getByTestId("compare").waitFor();
  assert.match(await page.getByTestId("compare").innerText(), /Before[\s\S]*After/);
  await page.locator(".tune-panel").screenshot({ path: (await import("./helpers.mjs")).SHOTS + "/04-fine-tune.png" });
});

test("after a reload the likes and the tuned head are kept", async () => {
  const recsBefore = await recTitles(page);
  await page.reload();
  await waitReady(page);
  await page.getByText("Your likes (3)").waitFor();
  assert.match(await page.getByTestId("tune-status").innerText(), /tuned model/);
  assert.deepEqual(await recTitles(page), recsBefore, "same recommendations after reload");
});

test("insight: heatmap and embedding map with hover", async () => {
  const heat = page.getByTestId("heatmap");
  await heat.scrollIntoViewIfNeeded();
  assert.equal(await heat.locator("rect[fill]").count(), 256);
  await page.locator(".heat-panel").screenshot({ path: (await import("./helpers.mjs")).SHOTS + "/05-heatmap.png" });
  const map = page.getByTestId("map");
  // the background points: one path per genre colour, each saying how many dots it draws
  const dots = await map.locator("path.pt").evaluateAll((ps) => ps.reduce((n, p) => n + Number(p.dataset.points), 0));
  assert.ok(dots > 500, `${dots} background points`);
  assert.equal(await map.locator("circle.like-pt").count(), 3);
  await map.locator("circle.rec-pt").last().hover({ force: true });
  assert.match(await page.getByTestId("map-card").innerText(), /Like/);
  await page.locator(".map-panel").screenshot({ path: (await import("./helpers.mjs")).SHOTS + "/06-map.png" });
});

test("new track form places a track and lists its neighbours", async () => {
  await page.getByRole("button", { name: "Use an example" }).click();
  await page.getByRole("button", { name: "Place it" }).click();
  await page.locator(".newtrack-result li").first().waitFor();
  assert.equal(await page.locator(".newtrack-result li").count(), 8);
  await page.locator("#newtrack-input").fill("1,2,3");
  await page.getByRole("button", { name: "Place it" }).click();
  await page.locator(".new-panel .error-text").waitFor();
  await page.screenshot({ path: (await import("./helpers.mjs")).SHOTS + "/07-full-page.png", fullPage: true });
});

test("share link carries the likes in the fragment and restores them in a fresh browser", async () => {
  await page.getByRole("button", { name: "Share link" }).click();
  const link = await page.locator("#share-link").inputValue();
  assert.match(link, /#likes=[A-Za-z0-9]+,[A-Za-z0-9]+,[A-Za-z0-9]+$/);
  const ctx2 = await browser.newContext();
  const p2 = await ctx2.newPage();
  await p2.goto(link);
  await waitReady(p2);
  await p2.getByText("Your likes (3)").waitFor();
  await p2.getByText(/Added 3 likes from the shared link/).waitFor();
  await ctx2.close();
});

test("corrupt stored likes reset with a notice, never a crash", async () => {
  const ctx3 = await browser.newContext();
  const p3 = await ctx3.newPage();
  await p3.goto(server.url + "/");
  await waitReady(p3);
  await p3.evaluate(() => {
    localStorage.setItem("soundalike.likes", "{this is not json");
    localStorage.setItem("soundalike.tuned_head", "%%%");
  });
  await p3.reload();
  await waitReady(p3);
  await p3.getByText(/saved likes were reset/).waitFor();
  await p3.getByText(/tuned model was/).waitFor();
  await p3.getByTestId("cold-hint").waitFor();
  await p3.evaluate(() => localStorage.setItem("soundalike.likes", JSON.stringify({ version: 0, likes: [] })));
  await p3.reload();
  await waitReady(p3);
  await p3.getByText(/format version 0/).waitFor();
  await ctx3.close();
});

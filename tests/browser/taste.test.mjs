// Shaping a list as a listener of Jason Mraz would: an era range, a cap per artist, and
// "never this artist", which is kept across a reload.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, waitReady, shot } from "./helpers.mjs";

const MRAZ = ["1EzrEOXmMH3G43AXT1y7pA", "4hbGPfz03P8Nnh75mFIAoH"];
let server, browser, page;

before(async () => {
  server = await serve();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on("pageerror", (e) => console.error("pageerror:", e.message));
  await page.goto(`${server.url}/#likes=${MRAZ.join(",")}`);
  await waitReady(page);
  await page.locator('[data-testid="recs"] li.rec').first().waitFor();
});
after(async () => { await browser?.close(); server?.close(); });

/** Every shown recommendation: id, artist and year ("1960s" counts as 1960). */
async function rows() {
  return page.locator('[data-testid="recs"] li.rec').evaluateAll((els) => els.map((e) => {
    const y = (e.querySelector(".meta")?.innerText || "").match(/(\d{4})s?$/);
    return { id: e.getAttribute("data-id"), artist: e.querySelector(".artist").innerText, year: y ? Number(y[1]) : null };
  }));
}

async function changed(before) {
  await page.waitForFunction((b) => {
    const now = [...document.querySelectorAll('[data-testid="recs"] li.rec')].map((e) => e.getAttribute("data-id"));
    return JSON.stringify(now) !== JSON.stringify(b);
  }, before.map((r) => r.id), { timeout: 5000 });
}

test("the default list holds no song twice and at most two tracks per artist", async () => {
  const r = await rows();
  assert.equal(r.length, 20);
  const per = {};
  for (const { artist } of r) per[artist] = (per[artist] || 0) + 1;
  assert.ok(Object.values(per).every((n) => n <= 2), JSON.stringify(per));
  assert.ok(!r.some((x) => MRAZ.includes(x.id)));
});

test("an era range keeps only tracks of those years", async () => {
  const before = await rows();
  await page.locator("#era-on").check();
  await page.locator("#era-from").fill("2012");
  await changed(before);
  const r = await rows();
  assert.ok(r.length > 0);
  for (const x of r) assert.ok(x.year !== null && x.year >= 2012 && x.year <= 2020, JSON.stringify(x));
  await page.locator(".controls-panel").screenshot({ path: (await import("./helpers.mjs")).SHOTS + "/08-era.png" });
  await page.locator("#era-on").uncheck();
});

test("one track per artist when the cap is 1", async () => {
  await page.locator("#per-artist").selectOption("1");
  await page.waitForFunction(() => {
    const a = [...document.querySelectorAll('[data-testid="recs"] li.rec .artist')].map((e) => e.innerText);
    return a.length > 0 && new Set(a).size === a.length;
  }, null, { timeout: 5000 });
});

test("never this artist: gone from the list, listed under the likes, kept after a reload", async () => {
  const before = await rows();
  const artist = before[0].artist;
  await page.locator('[data-testid="recs"] li.rec').first().getByRole("button", { name: "Never recommend this artist" }).click();
  await changed(before);
  assert.ok(!(await rows()).some((x) => x.artist === artist), `${artist} still recommended`);
  await page.getByTestId("banned").getByText(artist).waitFor();
  await shot(page, "09-banned");
  await page.reload();
  await waitReady(page);
  await page.getByTestId("banned").getByText(artist).waitFor();
  assert.equal(await page.locator("#per-artist").inputValue(), "1", "the cap is kept too");
  assert.ok(!(await rows()).some((x) => x.artist === artist));
  await page.getByRole("button", { name: `recommend ${artist} again` }).click();
  assert.equal(await page.getByTestId("banned").count(), 0);
});

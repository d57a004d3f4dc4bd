// "Song path": from Jason Mraz's "I'm Yours" (latin/pop) to Eminem's "Lose Yourself" (rap), picked
// through the panel's search; the list's length, its ends, no track twice and no artist twice in
// a row, checked in the DOM; the same path drawn on the map; and a start picked from the likes.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, waitReady, shot } from "./helpers.mjs";

const FROM = "1EzrEOXmMH3G43AXT1y7pA"; // I'm Yours — Jason Mraz
const TO = "0j5X6DrzkgY64Mm8NQp5mi"; // Lose Yourself - Soundtrack Version — Eminem
const requests = [];
let recording = true; // off only while this test reloads the page itself
let server, browser, page;

before(async () => {
  server = await serve();
  browser = await launch();
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on("pageerror", (e) => console.error("pageerror:", e.message));
  await page.goto(`${server.url}/#likes=${FROM}`);
  await waitReady(page);
  // from here on nothing may leave the device (blob: downloads are made in the page)
  page.on("request", (r) => { if (recording && /^https?:/.test(r.url())) requests.push(r.url()); });
});
after(async () => { await browser?.close(); server?.close(); });

async function pick(query, id, end) {
  await page.locator("#path-search").fill(query);
  await page.locator(`[data-testid="path-hits"] li[data-id="${id}"] button.path-${end}`).click();
}

const steps = () => page.locator('[data-testid="path"] li.step').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute("data-id"), artist: e.getAttribute("data-artist") })));

function checkRules(s, n, from, to) {
  assert.equal(s.length, n, JSON.stringify(s));
  assert.equal(s[0].id, from);
  assert.equal(s[n - 1].id, to);
  assert.equal(new Set(s.map((x) => x.id)).size, n, "no track twice");
  for (let k = 1; k < n; k++) assert.notEqual(s[k].artist, s[k - 1].artist, `artist twice in a row at ${k}: ${JSON.stringify(s)}`);
}

test("a 12-track path between two genres keeps the rules and is drawn on the map", async () => {
  await pick("i'm yours jason mraz", FROM, "from");
  await pick("lose yourself eminem", TO, "to");
  assert.match(await page.getByTestId("path-from").innerText(), /I'm Yours — Jason Mraz/);
  assert.match(await page.getByTestId("path-to").innerText(), /Lose Yourself.*Eminem/);
  await page.locator("#path-steps").fill("12");
  await page.locator("#path-steps").dispatchEvent("change");
  await page.locator("#path-build").click();
  await page.getByTestId("path-result").getByText(/A path of 12 tracks/).waitFor();
  const s = await steps();
  checkRules(s, 12, FROM, TO);
  console.log(s.map((x) => `${x.id} ${x.artist}`).join("\n"));

  const drawn = page.getByTestId("map-path");
  await drawn.waitFor({ timeout: 30000 });
  assert.equal(await drawn.getAttribute("data-steps"), "12");
  assert.match(await drawn.getAttribute("aria-label"), /Song path of 12 tracks from I'm Yours to Lose Yourself/);
  const pts = (await drawn.locator("polyline").getAttribute("points")).trim().split(/\s+/);
  assert.equal(pts.length, 12);
  assert.equal(await drawn.locator("g.path-step").count(), 12);
  await shot(page.locator(".map-panel"), "song-path-map");
});

test("the default length is 10, and a start can come from the likes", async () => {
  await page.locator("#path-steps").fill("10");
  await page.locator("#path-steps").dispatchEvent("change");
  await page.locator("#path-from-like").selectOption({ label: "I'm Yours — Jason Mraz" });
  await page.locator("#path-build").click();
  await page.getByTestId("path-result").getByText(/A path of 10 tracks/).waitFor();
  checkRules(await steps(), 10, FROM, TO);
  await page.locator("#path-clear").click();
  assert.equal(await page.locator('[data-testid="path"] li').count(), 0);
  await page.getByTestId("map-path").waitFor({ state: "detached" });
});

test("no network request after load", () => {
  assert.deepEqual(requests, []);
});

// `?catalog=`: the page loads another catalog of its own site, a synthetic one is always labelled,
// and a value that points elsewhere (another origin, an absolute URL, "..") is refused with a
// clear message before anything is fetched. The small synthetic catalog is made by
// scripts/test-browser.sh (`soundalike catalog synth`) and served at /fixtures/synth.bin.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serve, launch, waitReady, ROOT, SHOTS } from "./helpers.mjs";

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const synth = readFileSync(path.join(ROOT, "target/fixtures/synth.bin"));

async function open(query, hash = "") {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  const requests = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("request", (r) => requests.push(r.url()));
  await page.route("**/fixtures/synth.bin", (r) => r.fulfill({ status: 200, body: synth, contentType: "application/octet-stream" }));
  await page.goto(`${server.url}/${query}${hash}`);
  page.errors = errors;
  page.requests = requests;
  return page;
}

test("a synthetic catalog named by ?catalog= loads and is labelled as such", async () => {
  const page = await open("?catalog=fixtures/synth.bin", "#likes=0synthetic000000000010,0synthetic000000000020");
  await waitReady(page);
  assert.match(await page.getByTestId("status").innerText(), /ready: 3000 tracks/);
  const banner = page.getByRole("note", { name: "Synthetic catalog" });
  await banner.waitFor({ timeout: 10000 });
  const text = await banner.innerText();
  assert.match(text, /Synthetic benchmark catalog: these 3000 tracks are not real music/);
  assert.match(text, /resampled with noise from \d+ real tracks \(seed 5\)/);
  // it ranks: recommendations of synthetic tracks for the two likes of the share link
  const recs = page.locator('[data-testid="recs"] li.rec');
  await recs.first().waitFor({ timeout: 30000 });
  assert.match(await recs.first().innerText(), /Synthetic \d{6}/);
  assert.ok(page.requests.some((u) => u.endsWith("/fixtures/synth.bin")));
  assert.ok(!page.requests.some((u) => /\/catalog\.bin$/.test(u)), "the default catalog is not fetched");
  await page.screenshot({ path: `${SHOTS}/30-synthetic-catalog.png` });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test("the real catalog carries no synthetic notice", async () => {
  const page = await open("");
  await waitReady(page);
  assert.equal(await page.getByTestId("synthetic-banner").count(), 0);
  await page.close();
});

for (const [value, re] of [
  ["https://example.com/catalog.bin", /only a path relative to this page on this site/],
  ["//example.com/catalog.bin", /only a path relative to this page on this site/],
  ["/catalog.bin", /only a path relative to this page on this site/],
  ["../catalog.bin", /may not contain "\.\."/],
  ["fixtures/%2e%2e/%2e%2e/etc/passwd", /may not contain "\.\."/],
  ["javascript:alert(1)", /':' may not appear/],
  ["", /\?catalog= is empty/],
]) {
  test(`?catalog=${value} is refused with a clear message`, async () => {
    const page = await open(`?catalog=${value}`);
    const box = page.getByRole("alert").filter({ hasText: "went wrong" });
    await box.waitFor({ timeout: 30000 });
    assert.match(await box.innerText(), re);
    const fetched = page.requests.map((u) => new URL(u)).filter((u) => u.host !== new URL(server.url).host || u.pathname.endsWith(".bin"));
    assert.deepEqual(fetched.map(String), [], "nothing fetched from elsewhere, no catalog");
    assert.deepEqual(page.errors, [], "no uncaught error (no panic)");
    await page.close();
  });
}

test("a ?catalog= file the site lacks is an error, not the no-catalog start", async () => {
  const page = await open("?catalog=nope/missing.bin");
  const box = page.getByRole("alert").filter({ hasText: "went wrong" });
  await box.waitFor({ timeout: 30000 });
  assert.match(await box.innerText(), /catalog could not be downloaded.*404/s);
  assert.equal(await page.getByTestId("no-catalog").count(), 0);
  await page.close();
});

// Bad input: missing, truncated or corrupt files give a clear message; HTML in a title is shown as text.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { crc32 } from "node:zlib";
import { serve, launch, waitReady, ROOT, DIST, SHOTS } from "./helpers.mjs";

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

async function pageWith(routes) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  for (const [pattern, body, status] of routes) {
    await page.route(pattern, (r) => r.fulfill({ status: status ?? 200, body, contentType: "application/octet-stream" }));
  }
  await page.goto(server.url + "/");
  page.errors = errors;
  return page;
}

async function expectError(page, re, shotName) {
  const box = page.getByRole("alert").filter({ hasText: "went wrong" });
  await box.waitFor({ timeout: 30000 });
  assert.match(await box.innerText(), re);
  if (shotName) await page.screenshot({ path: `${SHOTS}/${shotName}.png` });
  assert.deepEqual(page.errors, [], "no uncaught error (no panic)");
  await page.close();
}

const catalog = readFileSync(path.join(DIST, "catalog.bin"));

test("missing catalog", async () => {
  // no catalog is a starting point, not an error: the page says so and offers the CSV import
  // (the import itself: import.test.mjs)
  const page = await pageWith([["**/catalog.bin", "nope", 404]]);
  const box = page.getByTestId("no-catalog");
  await box.waitFor({ timeout: 30000 });
  assert.match(await box.innerText(), /serves no catalog \(catalog\.bin answered 404\).*Drop CSV files/s);
  await page.getByTestId("dropzone").waitFor();
  assert.equal(await page.getByRole("alert").count(), 0);
  await page.screenshot({ path: `${SHOTS}/10-error-missing-catalog.png` });
  assert.deepEqual(page.errors, [], "no uncaught error (no panic)");
  await page.close();
});

test("catalog unreachable (server error)", async () => {
  await expectError(await pageWith([["**/catalog.bin", "nope", 500]]), /catalog could not be downloaded.*500/s);
});

test("truncated catalog", async () => {
  await expectError(await pageWith([["**/catalog.bin", catalog.subarray(0, Math.floor(catalog.length / 2))]]), /catalog file could not be read/);
});

test("corrupt catalog (flipped bytes)", async () => {
  const bad = Buffer.from(catalog);
  for (let i = 64; i < bad.length; i += 997) bad[i] ^= 0x5a;
  await expectError(await pageWith([["**/catalog.bin", bad]]), /catalog file could not be read/);
});

test("corrupt compressed payload behind a valid checksum", async () => {
  // the browser's DecompressionStream inflates it: its failure is a clear message too
  const bad = Buffer.from(catalog);
  for (let i = 24 + 5000; i < bad.length; i += 4099) bad[i] ^= 0x5a;
  bad.writeUInt32LE(crc32(bad.subarray(24)), 20);
  await expectError(await pageWith([["**/catalog.bin", bad]]), /catalog file could not be read.*payload is corrupt: invalid zlib data/s);
});

test("not a catalog at all", async () => {
  await expectError(await pageWith([["**/catalog.bin", "<html>oops</html>"]]), /catalog file could not be read/);
});

test("missing or corrupt weights", async () => {
  await expectError(await pageWith([["**/weights.bin", "", 404]]), /model weights could not be downloaded/);
  await expectError(await pageWith([["**/weights.bin", Buffer.alloc(0)]]), /model weights could not be read/);
  const w = readFileSync(path.join(DIST, "weights.bin"));
  await expectError(await pageWith([["**/weights.bin", w.subarray(0, Math.floor(w.length / 3))]]), /model weights could not be read/);
});

test("a title containing HTML is shown as text", async () => {
  const fixture = path.join(ROOT, "target", "fixtures", "html-titles.bin");
  assert.ok(existsSync(fixture), "fixture catalog built by scripts/test-browser.sh");
  const page = await pageWith([["**/catalog.bin", readFileSync(fixture)]]);
  await waitReady(page);
  await page.locator("#search-input").pressSequentially("<img", { delay: 10 });
  const hit = page.locator("#search-results li.hit .title").first();
  await hit.waitFor();
  assert.equal(await hit.innerText(), '<img src=x onerror="window.__pwned=1">Rainy');
  assert.equal(await page.locator("#search-results img, [data-testid=recs] img, #search-results b").count(), 0);
  await page.locator("#search-input").fill("");
  await page.locator("#search-input").pressSequentially("bold", { delay: 10 });
  await page.locator("#search-results li.hit").first().waitFor();
  await page.locator("#search-input").press("Enter");
  const titles = await page.locator('[data-testid="likes"] .title').allInnerTexts();
  assert.ok(titles.includes("<b>Bold</b> & <i>co</i>"), JSON.stringify(titles));
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  await page.screenshot({ path: `${SHOTS}/11-html-title.png` });
  await page.close();
});

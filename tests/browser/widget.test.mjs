// The widget example: a blog post that embeds pkg/ with mount(element, {catalogUrl, weightsUrl, seeds, count}).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, SHOTS } from "./helpers.mjs";

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test("the blog example shows a compact recommendation list", async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/blog-example.html");
  await page.getByRole("heading", { name: "Five songs for a rainy Sunday" }).waitFor();
  const items = page.locator("#soundalike-widget .sa-w-list li");
  await items.first().waitFor({ timeout: 60000 });
  assert.equal(await items.count(), 6);
  assert.match(await page.locator("#soundalike-widget").innerText(), /If you like/);
  assert.deepEqual(errors, []);
  await page.screenshot({ path: SHOTS + "/09-widget-blog.png", fullPage: true });
  await page.close();
});

test("the widget reports a missing catalog inside its element", async () => {
  const page = await browser.newPage();
  await page.route("**/catalog.bin", (r) => r.fulfill({ status: 404, body: "not found" }));
  await page.goto(server.url + "/blog-example.html");
  await page.locator("#soundalike-widget .sa-w-error").waitFor({ timeout: 30000 });
  assert.match(await page.locator("#soundalike-widget").innerText(), /Could not load recommendations: catalog.*404/);
  await page.close();
});

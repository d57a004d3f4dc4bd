// Privacy: after the catalog and the weights are fetched, the page makes no network request at all,
// whatever the listener does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, waitReady, recTitles, SHOTS } from "./helpers.mjs";

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test("zero requests after load, through search, likes, sliders, tuning, map and share link", async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const all = [];
  let loaded = false;
  const after = [];
  page.on("request", (r) => { all.push(r.url()); if (loaded) after.push(`${r.method()} ${r.url()}`); });
  await page.goto(server.url + "/");
  await waitReady(page);
  await page.waitForLoadState("networkidle");
  loaded = true;
  assert.ok(all.some((u) => u.endsWith("/catalog.bin")) && all.some((u) => u.endsWith("/weights.bin")));

  const box = page.locator("#search-input");
  await box.pressSequentially("dance", { delay: 10 });
  await page.locator("#search-results li.hit").first().waitFor();
  await box.press("Enter");
  await box.press("ArrowDown");
  await box.press("Enter");
  await box.press("Escape");
  await page.locator("p.because").first().waitFor();
  await page.locator("#valence-min").fill("0.3");
  await page.locator("#diversity").fill("0.4");
  await page.locator("#tune-btn").click();
  await page.getByTestId("tune-status").getByText(/tuned in/).waitFor({ timeout: 60000 });
  await page.getByTestId("map").locator("circle.rec-pt").last().hover({ force: true });
  await page.getByRole("button", { name: "Share link" }).click();
  await page.getByRole("button", { name: "Use an example" }).click();
  await page.getByRole("button", { name: "Place it" }).click();
  await page.locator(".newtrack-result li").first().waitFor();
  assert.ok((await recTitles(page)).length > 0);
  await page.waitForTimeout(500);
  assert.deepEqual(after, [], `requests after load: ${after.join(", ")}`);
  await page.screenshot({ path: SHOTS + "/08-privacy-run.png" });
  await ctx.close();
});

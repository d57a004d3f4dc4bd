// Privacy: after the catalog and the weights are fetched, the page makes no network request at all,
// whatever the listener does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, launch, waitReady, recTitles, SHOTS } from "./helpers.mjs";

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "exportify-features.csv");

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test("zero requests after load, through search, likes, sliders, tuning, map, share link, a CSV import and exports", async () => {
  const ctx = await browser.newContext({ acceptDownloads: true });
  const page = await ctx.newPage();
  const all = [];
  let loaded = false;
  const after = [];
  // blob: and data: URLs are the page's own memory (the exports), not the network
  page.on("request", (r) => { all.push(r.url()); if (loaded && !/^(blob|data):/.test(r.url())) after.push(`${r.method()} ${r.url()}`); });
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
  // a CSV read on the device, the list taken out as files, a Spotify link left unclicked
  await page.getByTestId("import-file").setInputFiles(FIXTURE);
  await page.getByTestId("import-results").getByText(/tracks added to the catalog/).waitFor({ timeout: 60000 });
  for (const name of ["Export the list as CSV", "Export the list as an M3U playlist", "Export the list as a JSPF playlist (ListenBrainz)", "Export the list as Spotify track URIs"]) {
    const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name }).click()]);
    assert.ok(await dl.path(), name);
  }
  assert.match(await page.locator('[data-testid="recs"] li.rec a.open-spotify').first().getAttribute("href"), /^https:\/\/open\.spotify\.com\/track\/[0-9A-Za-z]{22}$/);
  await page.waitForTimeout(500);
  assert.deepEqual(after, [], `requests after load: ${after.join(", ")}`);
  await page.screenshot({ path: SHOTS + "/08-privacy-run.png" });
  await ctx.close();
});

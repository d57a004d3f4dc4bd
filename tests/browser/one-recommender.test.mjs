// The page and the CLI run the same recommender: for the same likes and the page's default options,
// the page shows exactly the top 20 that `soundalike recommend --no-finetune` prints (which is also
// the ranking `soundalike eval` scores). scripts/test-browser.sh writes the CLI's answer to
// target/fixtures/one-recommender.json before the browser tests run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { ROOT, serve, launch, waitReady, shot } from "./helpers.mjs";

const fixture = JSON.parse(readFileSync(path.join(ROOT, "target/fixtures/one-recommender.json"), "utf8"));

test("the page shows the CLI's top 20 for the same likes", async () => {
  const likes = fixture.likes;
  const cli = fixture.tracks.map((t) => t.id);
  assert.equal(cli.length, 20, "the CLI answered 20 tracks");
  const srv = await serve();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${srv.url}/#likes=${likes.join(",")}`);
    await waitReady(page);
    const rows = page.locator('[data-testid="recs"] li.rec');
    await rows.first().waitFor();
    const shown = await rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
    await shot(page, "one-recommender");
    assert.deepEqual(shown.slice(0, 20), cli);
    for (const l of likes) assert.ok(!shown.includes(l), "a like is never recommended");
  } finally {
    await browser.close();
    srv.close();
  }
});

test("the page's SIMD128 scan ranks exactly as the all-f32 scan (300 varied queries, real catalog)", async () => {
  // the native test (tests/recommend.rs) checks the portable scan; this one the wasm lanes
  const srv = await serve();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(srv.url + "/");
    await waitReady(page);
    // the scan index grouped into cells, which the engine worker sends after the load
    await page.waitForFunction(() => window.__soundalikeGroupedMs, null, { timeout: 60000 });
    const differing = await page.evaluate(() => window.wasmBindings.scanDiffering(300, 7n));
    assert.equal(differing, 0, `${differing} of 300 queries rank differently`);
  } finally {
    await browser.close();
    srv.close();
  }
});

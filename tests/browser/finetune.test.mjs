// One fine-tune: the page's wasm runs model::finetune::check_fixture (through the
// `finetuneFixture` export) and must match the native numbers of the same checkout, written by the
// native test `native_finetune_fixture_values` (scripts/test-browser.sh runs it first).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { serve, launch, waitReady, ROOT } from "./helpers.mjs";

const NATIVE = path.join(ROOT, "target", "fixtures", "finetune-native.json");
let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test("the fine-tune in the page's wasm matches native within 1e-3 and is deterministic", async () => {
  assert.ok(existsSync(NATIVE), `${NATIVE} missing: run scripts/test-browser.sh (it runs the native test first)`);
  const native = JSON.parse(readFileSync(NATIVE, "utf8"));
  assert.equal(native.length, 8, `native fixture: ${JSON.stringify(native)}`);
  assert.ok(native.every(Number.isFinite));

  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url + "/");
  await waitReady(page);
  const [a, b] = await page.evaluate(() => [
    Array.from(window.wasmBindings.finetuneFixture()),
    Array.from(window.wasmBindings.finetuneFixture()),
  ]);
  console.log(`wasm   ${JSON.stringify(a)}\nnative ${JSON.stringify(native)}`);
  assert.equal(a.length, native.length, `wasm gave ${JSON.stringify(a)}`);
  const worst = Math.max(...a.map((v, i) => Math.abs(v - native[i])));
  assert.ok(worst < 1e-3, `largest |wasm - native| = ${worst}\nwasm   ${a}\nnative ${native}`);
  assert.deepEqual(b, a, "two wasm runs give the same numbers");
  assert.deepEqual(errors, []);
  await page.close();
});

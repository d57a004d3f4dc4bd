// Bench (figures, not assertions): headless Chromium against dist/, next to the native figures
// from `soundalike bench --json` (same engine code, same run). Usage: node tests/bench/bench.mjs native.json
import { readFileSync } from "node:fs";
import { statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { serve, launch, DIST } from "../browser/helpers.mjs";

const native = JSON.parse(readFileSync(process.argv[2], "utf8"));
const median = (v) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const server = await serve();
const browser = await launch();
try {
  // 1. cold load to first recommendations (fresh context each time: empty cache and storage)
  const cold = [];
  let catalogWire = 0, weightsWire = 0, page;
  for (let run = 0; run < 3; run++) {
    const ctx = await browser.newContext();
    page = await ctx.newPage();
    page.on("response", async (r) => {
      const u = r.url();
      if (u.endsWith("/catalog.bin") || u.endsWith("/weights.bin")) {
        const n = (await r.body()).length;
        if (u.endsWith("/catalog.bin")) catalogWire = n; else weightsWire = n;
      }
    });
    await page.goto(server.url + "/");
    // performance.now() (ms since navigation start) in the first animation frame that shows recommendations
    const h = await page.waitForFunction(() => document.querySelector('[data-testid="recs"] li.rec') && performance.now(), null, { timeout: 120000, polling: "raf" });
    cold.push(await h.jsonValue());
    if (run < 2) await ctx.close();
  }
  // 2. in-page figures: the same engine functions as the native bench
  const figs = [];
  for (let i = 0; i < 3; i++) figs.push(await page.evaluate(() => window.wasmBindings.benchAll(200, 50)));
  const web = {
    encode_ms: median(figs.map((f) => f.encode_ms)),
    rank_ms_per_query: median(figs.map((f) => f.rank_ms_per_query)),
    finetune_ms: median(figs.map((f) => f.finetune_ms)),
    finetune_longest_step_ms: Math.max(...figs.map((f) => f.finetune_longest_step_ms)),
    finetune_steps: figs[0].finetune_steps,
    tracks: figs[0].tracks,
  };
  // 3. the page's own "Tune to me" with 50 likes (share link), watching for long tasks
  const ids = await page.evaluate(() => window.wasmBindings.trackIds(50, 99n));
  const ctx2 = await browser.newContext();
  const p2 = await ctx2.newPage();
  await p2.goto(`${server.url}/#likes=${ids.join(",")}`);
  await p2.waitForFunction(() => window.__soundalikeReadyMs, null, { timeout: 120000 });
  // the map and the heatmap render just after the first recommendations (one long task, reported
  // separately below); watch the tune only once they are on screen
    await p2.getByTestId("heatmap").waitFor({ timeout: 60000 });
  await p2.getByTestId("map").waitFor({ timeout: 60000 });
  const insightLongTasks = await p2.evaluate(() => new Promise((res) => {
    const seen = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) seen.push(e.duration); }).observe({ type: "longtask", buffered: true });
    setTimeout(() => res(seen), 50);
  }));
  await p2.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: "longtask" });
  });
  const t0 = Date.now();
  await p2.locator("#tune-btn").click();
  await p2.getByTestId("tune-status").getByText(/tuned in/).waitFor({ timeout: 120000 });
  const uiTuneWall = Date.now() - t0;
  const uiStatus = await p2.getByTestId("tune-status").innerText();
  const longTasks = await p2.evaluate(() => window.__longTasks);
  await ctx2.close();

  // 4. a slider moved → the list redrawn: from the input event to the next frame after the list
  // changed (the popularity slider, alternating between two values; median of 15)
  const p3 = await browser.newPage();
  await p3.goto(`${server.url}/#likes=${ids.slice(0, 10).join(",")}`);
  await p3.waitForFunction(() => window.__soundalikeReadyMs, null, { timeout: 120000 });
  await p3.getByTestId("map").waitFor({ timeout: 60000 });
  await p3.locator("details:has(#popularity)").evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  const slider = await p3.evaluate(async () => {
    const s = document.querySelector("#popularity");
    const list = document.querySelector('[data-testid="recs"]');
    const out = [];
    for (let i = 0; i < 15; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const changed = new Promise((r) => new MutationObserver((_, o) => { o.disconnect(); r(); })
        .observe(list, { subtree: true, childList: true, characterData: true }));
      const t0 = performance.now();
      s.value = String(i % 2 ? 40 : 60);
      s.dispatchEvent(new Event("input", { bubbles: true }));
      await changed;
      await new Promise((r) => requestAnimationFrame(() => r()));
      out.push(performance.now() - t0);
    }
    return out;
  });
  await p3.close();

  const wasmFile = readdirWasm();
  const wasmRaw = statSync(wasmFile).size;
  const wasmGz = gzipSync(readFileSync(wasmFile), { level: 9 }).length;
  const ratio = (a, b) => (b > 0 ? (a / b).toFixed(1) + "×" : "n/a");
  const rows = [
    ["cold load → first recommendations (median of 3)", `${median(cold).toFixed(0)} ms`, "≤ 600 ms"],
    ["wasm size raw / gzip", `${(wasmRaw / 1024).toFixed(0)} KB / ${(wasmGz / 1024).toFixed(0)} KB`, "≤ 800 KB gzip"],
    ["catalog bytes over the wire", `${catalogWire} B (${(catalogWire / 1048576).toFixed(2)} MB); weights ${weightsWire} B`, ""],
    [`encode all ${web.tracks} tracks (wasm / native)`, `${web.encode_ms.toFixed(1)} ms / ${native.encode_ms.toFixed(1)} ms = ${ratio(web.encode_ms, native.encode_ms)}`, "≤ 150 ms"],
    ["ranking per query, top-20 + explanations (wasm / native)", `${web.rank_ms_per_query.toFixed(2)} ms / ${native.rank_ms_per_query.toFixed(2)} ms = ${ratio(web.rank_ms_per_query, native.rank_ms_per_query)}`, "≤ 2 ms"],
    [`fine-tune, 50 likes, ${web.finetune_steps} steps (wasm / native)`, `${web.finetune_ms.toFixed(0)} ms / ${native.finetune_ms.toFixed(0)} ms = ${ratio(web.finetune_ms, native.finetune_ms)}; longest step ${web.finetune_longest_step_ms.toFixed(1)} ms`, "≤ 500 ms"],
    ["slider moved → list redrawn (median / worst of 15)", `${median(slider).toFixed(0)} ms / ${Math.max(...slider).toFixed(0)} ms`, "≤ 50 ms"],
    ["long tasks during load + first render (buffered)", `${insightLongTasks.map((d) => d.toFixed(0)).join(", ")} ms`, ""],
    ["page 'Tune to me' with 50 likes", `${uiStatus.replace(/\s+/g, " ")}; wall ${uiTuneWall} ms; long tasks (>50 ms) during it: ${longTasks.length ? longTasks.map((d) => d.toFixed(0)).join(", ") + " ms" : "none"}`, "no task > 200 ms"],
  ];
  console.log("\nsoundalike bench (headless Chromium " + browser.version() + ", release build)\n");
  for (const [k, v, t] of rows) console.log(`${k.padEnd(58)} ${v}${t ? `   [target ${t}]` : ""}`);
  console.log("\n" + JSON.stringify({ cold_load_ms: cold, wasm_raw: wasmRaw, wasm_gzip: wasmGz, catalog_wire_bytes: catalogWire, weights_wire_bytes: weightsWire, web, native, ui_tune_wall_ms: uiTuneWall, long_tasks_ms: longTasks, load_long_tasks_ms: insightLongTasks, slider_redraw_ms: slider }));
} finally {
  await browser.close();
  server.close();
}

function readdirWasm() {
  return path.join(DIST, "pkg", "soundalike_bg.wasm");
}

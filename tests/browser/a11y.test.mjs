// Everyone can use it: axe-core finds 0 serious or critical violations on the page (in the states a
// listener sees: loaded, searching, liked, tuned, a song path, a placed track, every panel open)
// and on the widget example, in the light and the dark theme; the results are announced in a live
// region; the page works from the keyboard with a visible focus; the map and the heatmap have text
// alternatives; the themes follow prefers-color-scheme, charts included; and at 390 × 844 (a phone)
// nothing scrolls sideways and the main controls are reachable and at least 24 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { serve, launch, waitReady, recTitles, shot } from "./helpers.mjs";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const FROM = "1EzrEOXmMH3G43AXT1y7pA"; // I'm Yours — Jason Mraz
const TO = "0j5X6DrzkgY64Mm8NQp5mi"; // Lose Yourself - Soundtrack Version — Eminem

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

/** Every axe-core violation in the page. axe is evaluated through the DevTools protocol, so the
 *  page keeps its own Content-Security-Policy (an injected <script> would be refused by it). */
async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, nodes: v.nodes.length,
      first: v.nodes.slice(0, 3).map((n) => `${n.target.join(" ")}: ${(n.failureSummary || "").replace(/\s+/g, " ")}`),
    }));
  });
}

const serious = (vs) => vs.filter((v) => v.impact === "serious" || v.impact === "critical");

async function assertNoSerious(page, where) {
  const bad = serious(await axe(page));
  assert.deepEqual(bad, [], `${where}: ${bad.reduce((n, v) => n + v.nodes, 0)} elements with serious/critical violations:\n${JSON.stringify(bad, null, 1)}`);
}

async function newPage(colorScheme, viewport = { width: 1400, height: 1000 }, extra = {}) {
  const ctx = await browser.newContext({ viewport, colorScheme, acceptDownloads: true, ...extra });
  const page = await ctx.newPage();
  page.on("pageerror", (e) => console.error("pageerror:", e.message));
  return page;
}

/** Search in the main box and like the first hit with Enter; resolves once the recommendations say why. */
async function likeFirst(page, query) {
  const box = page.locator("#search-input");
  await box.fill(query);
  await page.locator("#search-results li.hit").first().waitFor();
  await box.press("Enter");
  await page.locator("p.because").first().waitFor();
}

/** Bring the page into a state with every panel in use: a tuned model (compare, learned chart),
 *  a song path on the map, a placed track, a share link, open details, a notice. */
async function everythingOpen(page) {
  await page.locator("#tune-btn").click();
  await page.getByTestId("tune-status").getByText(/tuned in \d+ ms/).waitFor({ timeout: 120000 });
  await page.getByTestId("learned").waitFor();
  await page.locator("#path-search").fill("i'm yours jason mraz");
  await page.locator(`[data-testid="path-hits"] li[data-id="${FROM}"] button.path-from`).click();
  await page.locator("#path-search").fill("lose yourself eminem");
  await page.locator(`[data-testid="path-hits"] li[data-id="${TO}"] button.path-to`).click();
  await page.locator("#path-build").click();
  await page.getByTestId("map-path").waitFor({ timeout: 30000 });
  await page.getByRole("button", { name: "Use an example" }).click();
  await page.getByRole("button", { name: "Place it" }).click();
  await page.locator(".newtrack-result li").first().waitFor();
  await page.getByRole("button", { name: "Share link" }).click();
  await page.locator("#share-link").waitFor();
  await page.locator("details").evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
  await page.locator("#search-input").fill("queen");
  await page.locator("#search-results li.hit").first().waitFor();
}

test("the axe check itself fails on a low-contrast element (it is not vacuous)", async () => {
  const page = await newPage("light");
  await page.goto(server.url + "/blog-example.html");
  await page.locator("#soundalike-widget .sa-w-list li").first().waitFor({ timeout: 60000 });
  await page.evaluate(() => {
    const p = document.createElement("p");
    p.id = "low-contrast";
    p.textContent = "hard to read";
    p.style.color = "#bbbbbb";
    p.style.background = "#ffffff";
    document.querySelector("main").append(p);
  });
  const bad = serious(await axe(page));
  assert.ok(bad.some((v) => v.id === "color-contrast" && v.first.some((t) => t.startsWith("#low-contrast"))), JSON.stringify(bad));
  await page.context().close();
});

for (const scheme of ["light", "dark"]) {
  test(`axe: 0 serious/critical violations on the page, ${scheme} theme, in every state`, { timeout: 300000 }, async () => {
    const page = await newPage(scheme);
    await page.goto(server.url + "/");
    await waitReady(page);
    await page.getByTestId("heatmap").waitFor();
    await page.getByTestId("map").waitFor();
    await assertNoSerious(page, `${scheme}, cold start`);
    await page.locator("#search-input").fill("love");
    await page.locator("#search-results li.hit").first().waitFor();
    await assertNoSerious(page, `${scheme}, search results open`);
    await likeFirst(page, "love");
    await likeFirst(page, "holocene");
    await assertNoSerious(page, `${scheme}, after two likes`);
    await everythingOpen(page);
    await assertNoSerious(page, `${scheme}, tuned, path, new track, share link, details open`);
    await page.screenshot({ path: `${(await import("./helpers.mjs")).SHOTS}/12-a11y-${scheme}.png`, fullPage: true });
    await page.context().close();
  });

  test(`axe: 0 serious/critical violations on the widget example, ${scheme} theme (with a main landmark)`, async () => {
    const page = await newPage(scheme, { width: 900, height: 1000 });
    await page.goto(server.url + "/blog-example.html");
    await page.locator("#soundalike-widget .sa-w-list li").first().waitFor({ timeout: 60000 });
    await page.locator("#data-widget .sa-w-list li").first().waitFor({ timeout: 60000 });
    assert.equal(await page.locator("main").count(), 1);
    const all = await axe(page);
    assert.deepEqual(all.filter((v) => v.id === "landmark-one-main"), []);
    await assertNoSerious(page, `blog example, ${scheme}`);
    await page.context().close();
  });
}

test("the results are announced: the live region changes after a like", async () => {
  const page = await newPage("light");
  await page.goto(server.url + "/");
  await waitReady(page);
  const live = page.getByTestId("recs-live");
  assert.equal(await live.getAttribute("role"), "status"); // a polite live region
  const before = await live.innerText();
  assert.match(before, /^\d+ popular tracks shown; first: .+ by .+\.$/);
  await likeFirst(page, "holocene");
  await page.waitForFunction((b) => document.querySelector('[data-testid="recs-live"]').innerText !== b, before);
  const now = await live.innerText();
  assert.match(now, /^20 recommendations updated; first: .+ by .+\.$/);
  const first = (await recTitles(page))[0];
  assert.ok(now.includes(first), `${now} names the first recommendation ${first}`);
  // a notice (also a live region) says what Enter did
  await page.getByText(/Liked “Holocene”/).waitFor();
  await page.context().close();
});

test("keyboard only: Tab reaches the search box, arrows are spoken, Enter likes, focus is visible", async () => {
  const page = await newPage("light");
  await page.goto(server.url + "/");
  await waitReady(page);
  let tabs = 0;
  while (tabs < 10 && (await page.evaluate(() => document.activeElement?.id)) !== "search-input") {
    await page.keyboard.press("Tab");
    tabs++;
  }
  assert.equal(await page.evaluate(() => document.activeElement?.id), "search-input", `not reached in ${tabs} Tab presses`);
  await page.keyboard.type("queen");
  await page.locator("#search-results li.hit").first().waitFor();
  const spoken = page.getByTestId("search-live");
  assert.match(await spoken.innerText(), /^.+ by .+, 1 of \d+\. Enter likes it\.$/);
  await page.keyboard.press("ArrowDown");
  assert.match(await spoken.innerText(), /, 2 of \d+\./);
  const second = (await page.locator("#search-results li.hit").nth(1).locator(".title").innerText()).trim();
  await page.keyboard.press("Enter");
  await page.getByText("Your likes (1)").waitFor();
  assert.equal((await page.locator('[data-testid="likes"] .title').allInnerTexts())[0], second);
  // the next Tab stop is a button of the results, with a visible ring
  await page.keyboard.press("Tab");
  const ring = await page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return { tag: el.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor };
  });
  assert.equal(ring.tag, "BUTTON");
  assert.notEqual(ring.style, "none", JSON.stringify(ring));
  assert.ok(ring.width >= 2, JSON.stringify(ring));
  // a map marker is reachable by keyboard and selects its track on Enter
  const marker = page.locator('[data-testid="map"] circle.like-pt').first();
  await marker.waitFor();
  await marker.focus();
  assert.ok((await marker.getAttribute("aria-label")).startsWith(`Your like: ${second} — `));
  await page.keyboard.press("Enter");
  assert.match(await page.getByTestId("map-card").innerText(), new RegExp(second.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  await page.context().close();
});

test("every control has a name, and the map and heatmap have text alternatives", async () => {
  const page = await newPage("light");
  await page.goto(`${server.url}/#likes=${FROM}`);
  await waitReady(page);
  await page.getByTestId("heatmap").waitFor();
  // controls without an accessible name (axe's rules check the same; this names them in the message)
  const unnamed = await page.evaluate(() => [...document.querySelectorAll("button, input, select, textarea, a[href], [tabindex]")]
    .filter((el) => {
      if (el.type === "hidden") return false;
      const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.labels && el.labels.length > 0) || el.title;
      if (named) return false;
      // a field needs a label; a button or link may be named by its text
      return ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName) || !(el.textContent || "").trim();
    })
    .map((el) => el.outerHTML.slice(0, 120)));
  assert.deepEqual(unnamed, []);
  // the heatmap: a summary as its name, the whole matrix as a table
  const heat = page.getByTestId("heatmap");
  assert.equal(await heat.getAttribute("role"), "img");
  assert.match(await heat.getAttribute("aria-label"), /strongest pairs: .+ × .+ [+-]\d\.\d\d.*table below/);
  const table = page.getByTestId("heatmap-table");
  assert.equal(await table.locator("thead th").count(), 16);
  assert.equal(await table.locator("tbody tr").count(), 16);
  assert.equal(await table.locator("tbody td").count(), 256);
  assert.equal((await table.locator("tbody tr").first().locator("td").first().textContent()).trim(), "+1.00");
  // the map: described by a summary that follows the state, marks named as buttons
  const map = page.getByTestId("map");
  assert.equal(await map.getAttribute("aria-describedby"), "map-summary");
  assert.match(await page.getByTestId("map-summary").innerText(), /tracks are drawn .* 1 liked and 20 recommended tracks/);
  const rec = map.locator("circle.rec-pt").first();
  assert.equal(await rec.getAttribute("role"), "button");
  assert.match(await rec.getAttribute("aria-label"), /^Recommendation: .+ — .+$/);
  await page.context().close();
});

test("light and dark themes follow prefers-color-scheme, charts included", async () => {
  const read = async (scheme) => {
    const page = await newPage("light");
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(server.url + "/");
    await waitReady(page);
    await page.getByTestId("heatmap").waitFor();
    await page.getByTestId("map").waitFor();
    const c = await page.evaluate(() => {
      const cs = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
      // the heatmap's diagonal (+1) and a near-zero cell, the map's background and a genre point
      const cells = [...document.querySelectorAll('[data-testid="heatmap"] rect')];
      const zero = cells.find((r) => /[+-]0\.0\d$/.test(r.querySelector("title").textContent));
      return {
        bg: getComputedStyle(document.body).backgroundColor || cs("html", "backgroundColor"),
        html: cs("html", "backgroundColor"), ink: cs("html", "color"), panel: cs(".panel", "backgroundColor"),
        zeroCell: getComputedStyle(zero).fill, plot: cs('[data-testid="map"] .plot-bg', "fill"),
        point: cs('[data-testid="map"] path.pt', "stroke"),
      };
    });
    await page.context().close();
    return c;
  };
  // relative luminance of a computed colour: "rgb(r, g, b)" (0–255) or "color(srgb r g b)" (0–1, from color-mix)
  const lum = (c) => {
    const scale = c.startsWith("color(srgb") ? 1 : 255;
    const [r, g, b] = c.replace("color(srgb", "").match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => v / scale).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const light = await read("light");
  const dark = await read("dark");
  console.log(JSON.stringify({ light, dark }));
  for (const k of ["html", "ink", "panel", "zeroCell", "plot"]) assert.notEqual(light[k], dark[k], `${k} changes with the theme`);
  assert.ok(lum(light.html) > 0.8 && lum(light.ink) < 0.05, "light: dark text on a light background");
  assert.ok(lum(dark.html) < 0.02 && lum(dark.ink) > 0.7, "dark: light text on a dark background");
  assert.ok(lum(dark.zeroCell) < 0.05 && lum(light.zeroCell) > 0.8, "the heatmap's zero is the panel's colour in both themes");
  assert.ok(lum(dark.plot) < 0.05, "the map's background is dark in the dark theme");
});

test("a phone (390 × 844): no sideways scroll, the main controls reachable and ≥ 24 px", { timeout: 180000 }, async () => {
  for (const scheme of ["light", "dark"]) {
    const page = await newPage(scheme, { width: 390, height: 844 }, { isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await page.goto(server.url + "/");
    await waitReady(page);
    const noSideways = async (where) => {
      const w = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
      assert.ok(w.scroll <= w.inner, `${scheme}, ${where}: scrollWidth ${w.scroll} > innerWidth ${w.inner}`);
    };
    await noSideways("loaded");
    const box = page.locator("#search-input");
    await box.tap();
    await box.fill("holocene");
    await page.locator("#search-results li.hit").first().waitFor();
    await noSideways("search results");
    await page.locator("#search-results li.hit").first().getByRole("button", { name: /Like/ }).tap();
    await page.getByText("Your likes (1)").waitFor();
    await page.locator("p.because").first().waitFor();
    await page.getByTestId("heatmap").waitFor();
    await page.locator("details").evaluateAll((ds) => ds.forEach((d) => { d.open = true; }));
    await noSideways("liked, every details open");
    const reachable = [
      ["search box", page.locator("#search-input")],
      ["like button of a hit", page.locator("#search-results li.hit").first().locator("button.like")],
      ["first recommendation", page.locator('[data-testid="recs"] li.rec').first()],
      ["like button of a recommendation", page.locator('[data-testid="recs"] li.rec').first().locator("button.like")],
      ["last recommendation", page.locator('[data-testid="recs"] li.rec').last()],
      ["diversity slider", page.locator("#diversity")],
      ["Tune to me", page.locator("#tune-btn")],
      ["Build the path", page.locator("#path-build")],
      ["Place it", page.getByRole("button", { name: "Place it" })],
    ];
    for (const [name, loc] of reachable) {
      await loc.scrollIntoViewIfNeeded();
      const r = await loc.evaluate((el) => {
        const b = el.getBoundingClientRect();
        const hit = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2);
        return { x: b.x, y: b.y, w: b.width, h: b.height, vw: innerWidth, vh: innerHeight, onTop: !!hit && (hit === el || el.contains(hit)) };
      });
      assert.ok(r.x >= 0 && r.x + r.w <= r.vw + 0.5 && r.y >= 0 && r.y + r.h <= r.vh + 0.5, `${scheme}: ${name} clipped: ${JSON.stringify(r)}`);
      assert.ok(r.w >= 24 && r.h >= 24, `${scheme}: ${name} smaller than 24 px: ${JSON.stringify(r)}`);
      assert.ok(r.onTop, `${scheme}: ${name} is covered: ${JSON.stringify(r)}`);
    }
    await page.locator("#tune-btn").tap();
    await page.getByTestId("tune-status").getByText(/tuned in \d+ ms/).waitFor({ timeout: 120000 });
    await noSideways("tuned");
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, `13-phone-390-${scheme}`, { fullPage: true });
    await assertNoSerious(page, `phone, ${scheme}`);
    await page.context().close();
  }
});

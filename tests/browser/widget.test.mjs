// The widget example: a blog post that embeds pkg/ with mount(element, {catalogUrl, weightsUrl,
// likes, seeds, count}) and with the attribute form <div data-soundalike data-likes="…" data-k="…">;
// options checked into clear errors shown inside the widget; pkg/auto.js for hosts with no script
// of their own, under the Content-Security-Policy pkg/README.md documents.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { serve, launch, SHOTS } from "./helpers.mjs";

const SOMEONE = "6QPKYGnAW9QozVz2dSWqRg"; // Someone Like You — Adele
const HOLOCENE = "4fbvXwMTXPWaFyaMWUm9CR"; // Holocene — Bon Iver
const FAST_CAR = "2M9ro2krNb7nr7HSprkEgo"; // Fast Car — Tracy Chapman
// the CSP of blog-example.html and pkg/README.md
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

/** A page that records page errors, panics and CSP refusals. */
async function watched(viewport) {
  const page = await browser.newPage(viewport ? { viewport } : {});
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (/panicked|Content.Security.Policy|unreachable/i.test(m.text())) problems.push(`console: ${m.text()}`); });
  return { page, problems };
}

test("the blog example shows a compact recommendation list, and the attribute form beside it", async () => {
  const { page, problems } = await watched({ width: 900, height: 1000 });
  await page.goto(server.url + "/blog-example.html");
  await page.getByRole("heading", { name: "Five songs for a rainy Sunday" }).waitFor();
  const items = page.locator("#soundalike-widget .sa-w-list li");
  await items.first().waitFor({ timeout: 60000 });
  assert.equal(await items.count(), 6);
  const text = await page.locator("#soundalike-widget").innerText();
  // the likes (ids) and the seed (a search) are all named
  assert.match(text, /If you like Someone Like You, Holocene, Chasing Cars:/);
  // the <div data-soundalike data-likes=… data-k="3"> was mounted by init() without a call
  const data = page.locator("#data-widget .sa-w-list li");
  await data.first().waitFor({ timeout: 60000 });
  assert.equal(await data.count(), 3);
  assert.match(await page.locator("#data-widget").innerText(), /More for grey days[\s\S]*If you like Fast Car, Mad World/);
  assert.equal(await page.locator("#data-widget").getAttribute("data-soundalike-mounted"), "");
  assert.deepEqual(problems, []);
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

/** mount() a fresh element of the blog page with `options`; returns the promise's outcome and the element's text. */
async function mountWith(page, options) {
  return page.evaluate(async (options) => {
    const { mount } = await import("./pkg/soundalike.js");
    const el = document.createElement("div");
    document.querySelector("main").append(el);
    let outcome;
    try { outcome = { ok: await mount(el, options) }; } catch (e) { outcome = { error: String(e) }; }
    return { ...outcome, text: el.innerText, alert: el.querySelector('[role="alert"]')?.innerText ?? null, items: el.querySelectorAll(".sa-w-list li").length };
  }, options);
}

test("mount(el, { likes }) recommends from the host's Spotify ids; bad options are clear errors, never a panic", async () => {
  const { page, problems } = await watched();
  await page.goto(server.url + "/blog-example.html");
  await page.locator("#soundalike-widget .sa-w-list li").first().waitFor({ timeout: 60000 });

  const good = await mountWith(page, { likes: [SOMEONE, `spotify:track:${HOLOCENE}`, `https://open.spotify.com/track/${FAST_CAR}?si=x`], k: 4 });
  assert.equal(good.ok, true, JSON.stringify(good));
  assert.equal(good.items, 4);
  assert.match(good.text, /If you like Someone Like You, Holocene, Fast Car:/);

  const cases = [
    [{ likes: [SOMEONE, "not-an-id"] }, /^likes\[1\] "not-an-id" is not a Spotify track id \(22 letters and digits/],
    [{ likes: ["0000000000000000000000", "1111111111111111111111"] }, /^likes\[0\] "0000000000000000000000" is not in this catalog \(2 of the likes are not\)$/],
    [{ likes: [SOMEONE], count: 0 }, /^count must be a whole number from 1 to 50, got "0"$/],
    [{ likes: [SOMEONE], count: 51 }, /^count must be a whole number from 1 to 50, got "51"$/],
    [{ likes: [SOMEONE], k: 2.5 }, /^count must be a whole number from 1 to 50, got "2.5"$/],
    [{ likes: [SOMEONE], count: "ten" }, /^count must be a whole number from 1 to 50, got "ten"$/],
    [{ like: [SOMEONE] }, /^unknown option `like` \(the options are catalogUrl, weightsUrl, likes, seeds, count \(or k\), title\)$/],
    [{ likes: [SOMEONE], count: 3, k: 3 }, /^give count or k, not both$/],
    [{ likes: SOMEONE }, /^likes must be an array of strings, got a string$/],
    [{ likes: [SOMEONE, 7] }, /^bad options: invalid type: floating point `7.0`, expected a string$/],
  ];
  for (const [options, message] of cases) {
    const r = await mountWith(page, options);
    assert.equal(r.ok, undefined, `${JSON.stringify(options)} should fail: ${JSON.stringify(r)}`);
    assert.match(r.alert ?? "", message, `${JSON.stringify(options)}: shown ${JSON.stringify(r.alert)}`);
    assert.equal(r.error, `soundalike: ${r.alert}`, "the promise rejects with the shown message");
    assert.equal(r.items, 0);
  }
  assert.deepEqual(problems, []);
  await page.close();
});

test("pkg/auto.js mounts every data-soundalike element, under the documented CSP, with errors per element", async () => {
  const { page, problems } = await watched({ width: 800, height: 900 });
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">
    <meta http-equiv="Content-Security-Policy" content="${CSP}">
    <title>attribute form</title><link rel="stylesheet" href="pkg/widget.css">
    <script src="pkg/auto.js" defer></script></head><body><main>
    <div id="w-good" data-soundalike data-likes="${SOMEONE} ${HOLOCENE}" data-k="5" data-title="Five for you"></div>
    <div id="w-shape" data-soundalike data-likes="${SOMEONE},abc"></div>
    <div id="w-k" data-soundalike data-likes="${SOMEONE}" data-k="99"></div>
    <div id="w-unknown" data-soundalike data-likes="0000000000000000000000"></div>
    <div id="w-popular" data-soundalike data-count="3"></div>
    </main></body></html>`;
  // the page itself is made up here; every script, style and file it loads is the real one from dist/
  await page.route(server.url + "/auto-example.html", (r) => r.fulfill({ status: 200, contentType: "text/html", body: html }));
  await page.goto(server.url + "/auto-example.html");
  const good = page.locator("#w-good .sa-w-list li");
  await good.first().waitFor({ timeout: 60000 });
  assert.equal(await good.count(), 5);
  assert.match(await page.locator("#w-good").innerText(), /Five for you[\s\S]*If you like Someone Like You, Holocene:/);
  await page.locator("#w-popular .sa-w-list li").first().waitFor();
  assert.equal(await page.locator("#w-popular .sa-w-list li").count(), 3);
  assert.match(await page.locator("#w-popular").innerText(), /Popular picks/);
  const alert = (id) => page.locator(`#${id} [role="alert"]`).innerText();
  assert.match(await alert("w-shape"), /^data-likes item 2 "abc" is not a Spotify track id/);
  assert.match(await alert("w-k"), /^data-k must be a whole number from 1 to 50, got "99"$/);
  assert.match(await alert("w-unknown"), /^data-likes item 1 "0000000000000000000000" is not in this catalog$/);
  // mountAll() again finds nothing new: each element is mounted once
  const again = await page.evaluate(async () => (await (await import("./pkg/soundalike.js")).mountAll()).length);
  assert.equal(again, 0);
  assert.deepEqual(problems, []);
  await page.close();
});

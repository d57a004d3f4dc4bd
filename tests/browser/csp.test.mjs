// Content-Security-Policy: the page and the blog example carry a policy that lets them run their
// wasm and fetch only their own origin, they work under it without a single violation, and the
// browser really refuses what the policy forbids (a request to another origin, an injected script).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { serve, launch, waitReady, recTitles, DIST } from "./helpers.mjs";

let server, browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

/** The policy of an HTML file in dist/, as { directive: [tokens] }. */
function policyOf(file) {
  const html = readFileSync(path.join(DIST, file), "utf8");
  const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
  assert.equal(metas.length, 1, `${file}: one CSP <meta>`);
  const head = html.slice(0, html.search(/<\/head>/i));
  const firstLoad = head.search(/<(script|link)\b/i);
  assert.ok(firstLoad < 0 || metas[0].index < firstLoad, `${file}: the CSP <meta> comes before any script or link`);
  return Object.fromEntries(metas[0][1].split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([k, ...v]) => [k, v]));
}

/** A page that records CSP violations (events and console errors) from its first script on. */
async function watchedPage(opts = {}) {
  const ctx = await browser.newContext(opts);
  await ctx.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
  });
  const page = await ctx.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" && /Content Security Policy/i.test(m.text())) page.problems.push(`console: ${m.text()}`); });
  return page;
}

async function violations(page) {
  return [...(await page.evaluate(() => window.__csp)), ...page.problems];
}

test("the page and the blog example carry a same-origin policy", () => {
  for (const file of ["index.html", "blog-example.html"]) {
    const p = policyOf(file);
    assert.deepEqual(p["default-src"], ["'self'"], file);
    assert.deepEqual(p["connect-src"], ["'self'"], `${file}: fetches only its own origin`);
    assert.deepEqual(p["object-src"], ["'none'"], file);
    assert.deepEqual(p["style-src"], ["'self'"], file);
    const script = p["script-src"];
    assert.deepEqual(script.slice(0, 2), ["'self'", "'wasm-unsafe-eval'"], file);
    for (const t of script.slice(2)) assert.match(t, /^'sha256-[A-Za-z0-9+/]+=*'$/, `${file}: only hashes besides 'self'`);
    for (const d of Object.values(p)) assert.ok(!d.includes("'unsafe-eval'") && !d.includes("*"), file);
  }
  // the inline loader trunk injects is allowed by its hash (scripts/csp-hashes.py), nothing else inline
  assert.ok(policyOf("index.html")["script-src"].length >= 3, "index.html: trunk's loader hash");
  assert.equal(policyOf("blog-example.html")["script-src"].length, 2, "blog example: no inline script");
});

test("the page works under its policy with no violation", async () => {
  const page = await watchedPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(server.url + "/");
  await waitReady(page);
  const box = page.locator("#search-input");
  await box.pressSequentially("love", { delay: 10 });
  await page.locator("#search-results li.hit").first().waitFor();
  await box.press("Enter");
  await box.press("ArrowDown");
  await box.press("Enter");
  await box.press("Escape");
  await page.locator("p.because").first().waitFor();
  // the contribution bars get their width from an inline style attribute (style-src-attr)
  const barWidth = await page.locator("li.rec .bar").first().evaluate((e) => e.getBoundingClientRect().width);
  assert.ok(barWidth > 0, `contribution bar is drawn (width ${barWidth})`);
  await page.locator("#energy-target").fill("0.3");
  await page.locator("#tune-btn").click();
  await page.getByTestId("tune-status").getByText(/tuned in/).waitFor({ timeout: 60000 });
  await page.getByTestId("heatmap").waitFor();
  await page.getByTestId("map").locator("circle.rec-pt").last().hover({ force: true });
  await page.getByRole("button", { name: "Share link" }).click();
  await page.getByRole("button", { name: "Use an example" }).click();
  await page.getByRole("button", { name: "Place it" }).click();
  await page.locator(".newtrack-result li").first().waitFor();
  assert.ok((await recTitles(page)).length > 0);
  await page.waitForTimeout(300);
  assert.deepEqual(await violations(page), []);
  await page.context().close();
});

test("the blog example's widget works under its policy with no violation", async () => {
  const page = await watchedPage();
  await page.goto(server.url + "/blog-example.html");
  await page.locator("#soundalike-widget .sa-w-list li").first().waitFor({ timeout: 60000 });
  assert.deepEqual(await violations(page), []);
  await page.context().close();
});

test("the browser enforces it: no request to another origin, no injected inline script", async () => {
  const page = await watchedPage();
  await page.goto(server.url + "/");
  await waitReady(page);
  // the same static server under another name is another origin
  const other = server.url.replace("127.0.0.1", "localhost") + "/weights.bin";
  const outcome = await page.evaluate((u) => fetch(u).then(() => "sent", (e) => `refused: ${e.message}`), other);
  assert.match(outcome, /^refused/, `fetch(${other}) was ${outcome}`);
  const ran = await page.evaluate(() => {
    const s = document.createElement("script");
    s.textContent = "window.__injected = true";
    document.body.append(s);
    return window.__injected === true;
  });
  assert.equal(ran, false, "an injected inline script does not run");
  await page.waitForTimeout(200);
  const seen = await page.evaluate(() => window.__csp);
  assert.ok(seen.some((v) => v.startsWith("connect-src blocked http://localhost")), JSON.stringify(seen));
  assert.ok(seen.some((v) => v.startsWith("script-src-elem blocked inline")), JSON.stringify(seen));
  await page.context().close();
});

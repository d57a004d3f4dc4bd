import { serve, launch, waitReady } from "./helpers.mjs";
import { readFileSync } from "node:fs";
const server = await serve(); const browser = await launch();
const page = await browser.newPage();
await page.goto(`${server.url}/#likes=1EzrEOXmMH3G43AXT1y7pA,4hbGPfz03P8Nnh75mFIAoH,6f807x0ima9a1j3VPbc7VN`);
await waitReady(page, 120000);
await page.getByTestId("map").waitFor({ timeout: 60000 });
await page.waitForTimeout(500);
await browser.startTracing(page, { path: "/tmp/wk/trace.json", categories: ["devtools.timeline", "disabled-by-default-devtools.timeline", "v8"] });
await page.locator("#tune-btn").click();
await page.getByTestId("tune-status").getByText(/tuned in \d+ ms/).waitFor({ timeout: 120000 });
await browser.stopTracing();
await browser.close(); server.close();
const t = JSON.parse(readFileSync("/tmp/wk/trace.json", "utf8"));
const ev = t.traceEvents || t;
// main thread of the renderer: the thread with most RunTask events named CrRendererMain
const names = {}; for (const e of ev) if (e.name === "thread_name") names[`${e.pid}:${e.tid}`] = e.args.name;
const tasks = ev.filter((e) => e.ph === "X" && e.name === "RunTask" && e.dur > 40000);
for (const task of tasks) {
  const th = names[`${task.pid}:${task.tid}`];
  const kids = ev.filter((e) => e.pid === task.pid && e.tid === task.tid && e.ph === "X" && e.ts >= task.ts && e.ts < task.ts + task.dur && e.name !== "RunTask" && e.dur > 5000)
    .map((e) => `${e.name}${e.args?.data?.functionName ? "(" + e.args.data.functionName + ")" : ""}${e.args?.data?.type ? "[" + e.args.data.type + "]" : ""} ${(e.dur / 1000).toFixed(0)}ms`);
  console.log(`${th} task ${(task.dur / 1000).toFixed(0)} ms: ${kids.slice(0, 12).join(", ")}`);
}

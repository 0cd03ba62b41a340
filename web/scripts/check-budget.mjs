// The build fails when the JavaScript the first page loads is over 250 KB gzip (issue 18).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 250 * 1024;
const dist = new URL("../dist", import.meta.url).pathname;
const html = readFileSync(join(dist, "index.html"), "utf8");
const initial = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
let total = 0;
for (const file of initial) total += gzipSync(readFileSync(join(dist, file))).length;
const all = readdirSync(join(dist, "assets")).filter((f) => f.endsWith(".js")).length;
const kb = (total / 1024).toFixed(1);
if (total > BUDGET) {
  console.error(`initial route JavaScript is ${kb} KB gzip, over the 250 KB budget (${initial.join(", ")})`);
  process.exit(1);
}
console.log(`initial route JavaScript: ${kb} KB gzip of 250 KB (${initial.length} of ${all} chunks)`);

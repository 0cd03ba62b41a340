// Fails when src/gen is not what `npm run generate` makes from ../proto today: the API client is
// generated, never edited by hand, and never stale.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

const web = new URL("..", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "ek-gen-"));
const template = join(out, "buf.gen.yaml");
writeFileSync(
  template,
  readFileSync(join(web, "buf.gen.yaml"), "utf8").replace("out: src/gen", `out: ${join(out, "gen")}`),
);
execFileSync(join(web, "node_modules/.bin/buf"), ["generate", join(web, "../proto"), "--template", template], {
  cwd: web,
  stdio: "inherit",
});

function files(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}
const fresh = join(out, "gen");
const committed = join(web, "src/gen");
const a = files(fresh);
const b = files(committed);
const stale = [...new Set([...a, ...b])].filter((f) => {
  try {
    return readFileSync(join(fresh, f), "utf8") !== readFileSync(join(committed, f), "utf8");
  } catch {
    return true;
  }
});
rmSync(out, { recursive: true, force: true });
if (stale.length > 0) {
  console.error(`src/gen is stale (run \`npm run generate\` in web/): ${stale.join(", ")}`);
  process.exit(1);
}
console.log(`src/gen matches ../proto (${a.length} files)`);

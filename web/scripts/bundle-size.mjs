// The first screen's JavaScript, gzipped: the entry chunk, everything it imports statically, and the Today route
// (a young person's first screen) with its own static imports. Fails above the budget (170 KB).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET = 170 * 1024;
const dist = new URL("../dist/", import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, ".vite/manifest.json"), "utf8"));

function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const next of manifest[key]?.imports ?? []) closure(next, seen);
  return seen;
}

const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const chunks = new Set([...closure(entry), ...closure("src/screens/Today.tsx")]);
let total = 0;
// Today is imported statically (it is then inside the entry chunk and has no manifest entry of its own).
for (const key of [...chunks].filter((k) => manifest[k])) {
  const file = manifest[key].file;
  if (!file.endsWith(".js")) continue;
  const size = gzipSync(readFileSync(join(dist, file))).length;
  total += size;
  console.log(`${(size / 1024).toFixed(1).padStart(7)} KB  ${file}`);
}
console.log(`${(total / 1024).toFixed(1).padStart(7)} KB  first screen, gzipped (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error("Over the first-screen JavaScript budget");
  process.exit(1);
}

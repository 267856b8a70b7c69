// Prints the per-spec-file result of a run (results.json, Playwright's JSON
// reporter) as a markdown table, then the title of every test that did not
// pass. Usage: node table.mjs results.json
import fs from "node:fs";

const report = JSON.parse(fs.readFileSync(process.argv[2] || "results.json", "utf8"));
const files = new Map();
const failures = [];

function walk(suite, file) {
  file = suite.file || file;
  for (const spec of suite.specs || []) {
    for (const t of spec.tests || []) {
      const row = files.get(file) || { passed: 0, failed: 0, skipped: 0 };
      const status = t.status; // expected, unexpected, flaky, skipped
      if (status === "expected" || status === "flaky") row.passed++;
      else if (status === "skipped") row.skipped++;
      else {
        row.failed++;
        failures.push(`${file}:${spec.line} ${spec.title}`);
      }
      files.set(file, row);
    }
  }
  for (const child of suite.suites || []) walk(child, file);
}
for (const suite of report.suites || []) walk(suite, suite.file);

console.log("| spec file | tests | passed | failed | skipped |");
console.log("|---|---|---|---|---|");
let total = { passed: 0, failed: 0, skipped: 0 };
for (const [file, r] of [...files].sort()) {
  console.log(`| ${file} | ${r.passed + r.failed + r.skipped} | ${r.passed} | ${r.failed} | ${r.skipped} |`);
  for (const k of Object.keys(total)) total[k] += r[k];
}
console.log(`| **all** | ${total.passed + total.failed + total.skipped} | ${total.passed} | ${total.failed} | ${total.skipped} |`);
if (failures.length) {
  console.log("\nNot passed:");
  for (const f of failures) console.log(`- ${f}`);
}

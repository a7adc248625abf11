// Sums the vitest JSON reports of every package into one closing line, and fails on skipped or todo tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

let passed = 0, failed = 0, skipped = 0;
const rows = [];
for (const group of ['packages', 'examples']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const pkgJson = path.join(group, name, 'package.json');
    if (!existsSync(pkgJson) || !JSON.parse(readFileSync(pkgJson, 'utf8')).scripts?.test) continue;
    const file = path.join(group, name, '.vitest-report.json');
    if (!existsSync(file)) {
      rows.push(`${group}/${name}: no report (its test run did not finish)`);
      failed++;
      continue;
    }
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    passed += r.numPassedTests; failed += r.numFailedTests; skipped += s;
    rows.push(`${group}/${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${s ? `, ${s} skipped` : ''}`);
  }
}
console.log(rows.join('\n'));
if (skipped > 0) console.log(`error: ${skipped} tests were skipped or todo; CI allows none`);
console.log(`${passed} passed, ${failed + skipped} failed`);
process.exit(failed + skipped > 0 || passed === 0 ? 1 : 0);

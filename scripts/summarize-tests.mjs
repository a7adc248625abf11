// Sums the vitest JSON reports of every package into one closing line, and fails on skipped or todo tests.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

let passed = 0, failed = 0, skipped = 0;
const rows = [];
const failures = [];
/** Adds one vitest JSON report to the sums; a missing report counts as a failure. */
function addReport(label, file) {
  if (!existsSync(file)) {
    rows.push(`${label}: no report (its test run did not finish)`);
    failed++;
    return;
  }
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const s = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += s;
  rows.push(`${label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${s ? `, ${s} skipped` : ''}`);
  // Each failed test by file and name, with the first line of its message, so the closing lines say what broke.
  for (const file of r.testResults ?? []) {
    for (const t of file.assertionResults ?? []) {
      if (t.status !== 'failed') continue;
      const message = (t.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300);
      failures.push(`  FAILED ${label} ${path.relative(process.cwd(), file.name)} > ${t.fullName}: ${message}`);
    }
    if ((file.assertionResults ?? []).length === 0 && file.status === 'failed') {
      failures.push(`  FAILED ${label} ${path.relative(process.cwd(), file.name)}: ${(file.message ?? '').split('\n')[0].slice(0, 300)}`);
    }
  }
}
for (const group of ['packages', 'examples']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const pkgJson = path.join(group, name, 'package.json');
    if (!existsSync(pkgJson) || !JSON.parse(readFileSync(pkgJson, 'utf8')).scripts?.test) continue;
    addReport(`${group}/${name}`, path.join(group, name, '.vitest-report.json'));
  }
}
// The packages whose unit tests scripts/test.sh ran again under Node 22.
for (const name of (process.env.NODE22_PACKAGES ?? '').split(/\s+/).filter(Boolean)) {
  addReport(`packages/${name} (Node 22)`, path.join('packages', name, '.vitest-report-node22.json'));
}
console.log(rows.join('\n'));
if (failures.length > 0) console.log(failures.join('\n'));
if (skipped > 0) console.log(`error: ${skipped} tests were skipped or todo; CI allows none`);
console.log(`${passed} passed, ${failed + skipped} failed`);
process.exit(failed + skipped > 0 || passed === 0 ? 1 : 0);

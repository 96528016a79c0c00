// `npm test`: every check, in order, each reported; exits non-zero if any failed. Steps run even
// after a failure so one run shows everything that is wrong.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'cxr-tests-'));
const results = [];

function run(name, cmd, args, { counts } = {}) {
  console.log(`\n=== ${name}: ${[cmd, ...args].join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const ok = r.status === 0;
  const entry = { name, ok, seconds: (Date.now() - t0) / 1000, passed: 0, failed: ok ? 0 : 1, skipped: 0 };
  if (counts) Object.assign(entry, counts(ok));
  results.push(entry);
  return ok;
}

function vitestCounts(file) {
  return (ok) => {
    try {
      const j = JSON.parse(readFileSync(file, 'utf8'));
      return { passed: j.numPassedTests, failed: j.numFailedTests + (ok || j.numFailedTests ? 0 : 1), skipped: j.numPendingTests + j.numTodoTests };
    } catch {
      return { passed: 0, failed: 1, skipped: 0 };
    }
  };
}

/** Python's unittest prints "Ran N tests" and "OK (skipped=k)" or "FAILED (failures=a, errors=b)". */
function pythonTests() {
  const python = process.env.PYTHON ?? '/usr/bin/python3';
  console.log(`\n=== model converter tests: ${python} -m unittest discover -s models/tests`);
  const t0 = Date.now();
  const r = spawnSync(python, ['-m', 'unittest', 'discover', '-s', 'models/tests'], { encoding: 'utf8', env: process.env });
  process.stdout.write(r.stdout ?? '');
  process.stdout.write(r.stderr ?? '');
  const out = `${r.stdout}${r.stderr}`;
  const ran = Number(out.match(/Ran (\d+) tests?/)?.[1] ?? 0);
  const num = (k) => Number(out.match(new RegExp(`${k}=(\\d+)`))?.[1] ?? 0);
  const failed = num('failures') + num('errors') + (r.status === 0 || ran ? 0 : 1);
  const skipped = num('skipped');
  results.push({ name: 'converter tests', ok: r.status === 0, seconds: (Date.now() - t0) / 1000, passed: ran - failed - skipped, failed, skipped });
}

function vitest(project) {
  const out = join(tmp, `${project}.json`);
  return run(`${project} tests`, 'npx', ['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`], {
    counts: vitestCounts(out),
  });
}

const depsOk = run('system packages', 'node', ['e2e/tools/ensure-system-deps.mjs']);
run('typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
run('lint', 'npx', ['eslint', '.', '--max-warnings=0']);
vitest('unit');
pythonTests();
if (depsOk) vitest('e2e');
else results.push({ name: 'e2e tests', ok: false, seconds: 0, passed: 0, failed: 1, skipped: 0 });

console.log('\n=== summary');
for (const r of results) {
  const counts = r.passed || r.skipped || r.name.endsWith('tests') ? ` (${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped)` : '';
  console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name.padEnd(16)} ${r.seconds.toFixed(1).padStart(6)} s${counts}`);
}
const sum = (k) => results.reduce((n, r) => n + r[k], 0);
const failedSteps = results.filter((r) => !r.ok).length;
// Checks without test counts (typecheck, lint) count as one test each.
const passed = sum('passed') + results.filter((r) => r.ok && !r.passed && !r.name.endsWith('tests')).length;
console.log(`tests: ${passed} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
process.exit(failedSteps ? 1 : 0);

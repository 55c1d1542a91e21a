#!/usr/bin/env node
// Sums the JSON results each suite writes into test-results/ and prints "N passed, N failed".
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2] || 'test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
let found = false;
const read = (name) => {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return null;
  try {
    found = true;
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    failed += 1;
    return null;
  }
};

const vitest = read('vitest.json');
if (vitest) {
  passed += vitest.numPassedTests || 0;
  failed += (vitest.numFailedTests || 0) + (vitest.numRuntimeErrorTestSuites || 0);
  skipped += (vitest.numPendingTests || 0) + (vitest.numTodoTests || 0);
}
const pw = read('playwright.json');
if (pw && pw.stats) {
  passed += (pw.stats.expected || 0) + (pw.stats.flaky || 0);
  failed += pw.stats.unexpected || 0;
  skipped += pw.stats.skipped || 0;
  if (pw.errors && pw.errors.length) failed += pw.errors.length;
}
const ml = read('mlflow.json');
if (ml) {
  passed += ml.passed || 0;
  failed += ml.failed || 0;
}
if (!found) process.exit(1);
console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ''));

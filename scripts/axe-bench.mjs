// Runs axe-core 4.x on each URL in one headless Chromium, one page after another, the way the
// rendered-mode benchmark runs eldercheck: load event, then the checks. Prints JSON timings.
// Usage: node scripts/axe-bench.mjs MODULES_DIR CHROMIUM URL...
// (MODULES_DIR holds axe-core and playwright-core, installed by scripts/bench-rendered.py.)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [modules, executable, ...urls] = process.argv.slice(2);
const require = createRequire(path.join(modules, 'noop.js'));
const { chromium } = require('playwright-core');
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const started = performance.now();
const browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox', '--mute-audio'] });
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const times = [];
const loads = [];
let errors = 0;
let violations = 0;
for (const url of urls) {
  const page = await context.newPage();
  const t = performance.now();
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 30000 });
    loads.push(performance.now() - t);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    violations += result.violations.reduce((n, v) => n + v.nodes.length, 0);
  } catch (e) {
    errors += 1;
  }
  times.push(performance.now() - t);
  await page.close();
}
await browser.close();
console.log(JSON.stringify({ total_ms: performance.now() - started, times, loads, errors, violations, version: require('axe-core/package.json').version }));

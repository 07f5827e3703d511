#!/usr/bin/env node
/**
 * `npm run bench`: how fast is mcpwire, in one run, as medians of PAIRED ratios: every sample of a case
 * is divided by the `node -e 0` run right before it, so drift in the machine's load hits both alike.
 *
 * Into a realistic HOME (scripts/bench-home.mjs: a ~250 KB ~/.claude.json shaped like Claude Code's,
 * a commented Codex TOML, a JSONC VS Code file, other entries everywhere):
 *   floor   a plain Node script: seven temp + fsync + rename writes (the six files' sizes + a journal)
 *   plain   a plain Node script doing the data work of the add durably: per file read, JSON.parse,
 *           insert, JSON.stringify, re-parse, backup copy, temp + fsync + rename (TOML and JSONC: a text
 *           insert), then a journal write
 *   add     `mcpwire mcp add --target all` (every guarantee: locks incl. Claude Code's, re-read under
 *           the lock, verify, backup, atomic durable writes, journal), a fresh name each run
 *           goal: no slower than plain; aim 1.5×
 *   help    `mcpwire --help`                                                goal ≤ 1.3×
 * A 25 MiB ~/.claude.json: `mcp add` vs a plain parse + stringify + write of it (paired with it),
 *           goal ≤ 1.5×, and peak memory (maxRSS) ≤ 1.5× the plain script's.
 * The stdio bridge: scripts/bench-proxy.mjs runs at the end (BENCH_PROXY=0 skips it), then doctor:
 * scripts/bench-doctor.mjs (BENCH_DOCTOR=0 skips it), then scripts/bench-setup.mjs (BENCH_SETUP=0 skips it).
 *
 * Prints a table, the load before and after, PASS/MISS per goal; writes .bench/bench-results.json.
 * Always exits 0: it measures, it does not judge. BENCH_REPS=n changes the number of rounds (30).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRealisticHome, claudeJson, PLAIN, USER_FILES } from './bench-home.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'mcpwire.js');
const OUT_DIR = path.join(REPO, '.bench');
const URL_ = 'https://mcp.pelcro.com/';
const started = Date.now();

const ROUNDS = Number(process.env.BENCH_REPS ?? 30);
const BIG_MIN = process.env.BENCH_BIG === '0' ? 0 : 3; // BENCH_BIG=0: skip the 25 MiB case (quick runs)
const BIG_MAX = process.env.BENCH_BIG === '0' ? 0 : 7;
const BIG_BUDGET_MS = 90_000;
const BIG_BYTES = 25 * 1024 * 1024;

function log(s = '') {
  process.stdout.write(s + '\n');
}

if (!fs.existsSync(path.join(REPO, 'dist', 'cli.cjs'))) {
  log('dist/ is missing: building…');
  const b = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (b.status !== 0) {
    log('build failed; nothing to measure.');
    process.exit(0);
  }
}

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bench-')));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));

// Peak memory of a spawned node: a preload reports process.resourceUsage().maxRSS (KiB) at exit.
const rssPreload = path.join(root, 'rss.cjs');
fs.writeFileSync(
  rssPreload,
  "process.on('exit', () => { try { require('node:fs').writeFileSync(process.env.BENCH_RSS_OUT, String(process.resourceUsage().maxRSS)); } catch {} });\n",
);

function envFor(home, extra = {}) {
  // A clean environment: every client path derives from HOME.
  return { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', LANG: 'C.UTF-8', ...extra };
}

const failures = [];
/** Spawn `node …args`, wait for it; wall time in ms (and maxRSS in KiB when asked). */
function timeRun(label, args, home, opts = {}) {
  const rssOut = opts.rss ? path.join(root, `rss-${process.pid}.txt`) : undefined;
  const nodeArgs = rssOut ? ['-r', rssPreload, ...args] : args;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, nodeArgs, {
    cwd: root,
    env: envFor(home, rssOut ? { BENCH_RSS_OUT: rssOut } : {}),
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 1 << 20,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) failures.push(`${label}: exit ${r.status ?? r.signal}: ${String(r.stderr).trim().split('\n')[0]}`);
  const rss = rssOut ? Number(fs.readFileSync(rssOut, 'utf8')) : undefined;
  return { ms, rss };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};

// ---------------------------------------------------------------------------------------------
// The plain scripts

const FLOOR = `
const fs = require('node:fs'), path = require('node:path');
const [dir, sizes] = [process.argv[2], process.argv[3].split(',').map(Number)];
sizes.forEach((n, i) => {
  const f = path.join(dir, 'f' + i), tmp = f + '.tmp';
  const fd = fs.openSync(tmp, 'w', 0o644);
  fs.writeSync(fd, Buffer.alloc(n, 97));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, f);
});
`;

const PLAIN_BIG =
  "const fs = require('node:fs');\nconst f = process.argv[2];\nconst v = JSON.parse(fs.readFileSync(f, 'utf8'));\nfs.writeFileSync(f, JSON.stringify(v, null, 2));\n";

const floorScript = path.join(root, 'floor.cjs');
const plainScript = path.join(root, 'plain.cjs');
const plainBigScript = path.join(root, 'plain-big.cjs');
fs.writeFileSync(floorScript, FLOOR);
fs.writeFileSync(plainScript, PLAIN);
fs.writeFileSync(plainBigScript, PLAIN_BIG);

// ---------------------------------------------------------------------------------------------
// Realistic HOMEs: one for mcpwire, one for the plain script (both grow by one entry per run)

const homeAdd = path.join(root, 'home-add');
const homePlain = path.join(root, 'home-plain');
const floorDir = path.join(root, 'floor');
fs.mkdirSync(floorDir);
const facts = buildRealisticHome(homeAdd);
buildRealisticHome(homePlain);
const sizes = [...Object.values(USER_FILES).map((rel) => fs.statSync(path.join(homeAdd, rel)).size), 4096].join(',');

const loadStart = os.loadavg();
log(`mcpwire bench — node ${process.version}, ${os.cpus().length} CPUs, load ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
log(
  `realistic HOME: ~/.claude.json ${(facts.claudeBytes / 1024).toFixed(0)} KiB with ${facts.projects} projects; Codex TOML, VS Code JSONC, Cursor, Windsurf, Claude Desktop with other entries`,
);

const cases = {
  help: { label: 'mcpwire --help', args: () => [BIN, '--help'], home: homeAdd, goal: 1.3 },
  floor: { label: 'floor: node + 7 durable writes', args: () => [floorScript, floorDir, sizes], home: homeAdd },
  plain: { label: 'plain script, same data work, durable', args: (i) => [plainScript, homePlain, `bench-${i}`, URL_], home: homePlain },
  add: { label: 'mcpwire mcp add --target all', args: (i) => [BIN, 'mcp', 'add', '--target', 'all', '--url', URL_, '--name', `bench-${i}`], home: homeAdd },
};
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, { ms: [], base: [], ratio: [] }]));

for (let i = 0; i < 3; i++) {
  // Warm-up (compile caches, page cache).
  timeRun('warm-up node', ['-e', '0'], homeAdd);
  for (const [k, c] of Object.entries(cases)) timeRun(`warm-up ${k}`, c.args(`warm-${i}`), c.home);
}
process.stdout.write(`${ROUNDS} rounds `);
let last = '';
for (let i = 0; i < ROUNDS; i++) {
  for (const [k, c] of Object.entries(cases)) {
    const base = timeRun('node -e 0', ['-e', '0'], c.home).ms;
    const ms = timeRun(c.label, c.args(String(i)), c.home).ms;
    samples[k].ms.push(ms);
    samples[k].base.push(base);
    samples[k].ratio.push(ms / base);
  }
  last = String(i);
  if (i % 5 === 4) process.stdout.write('.');
}
log();
// Every add really wrote all six files.
for (const [id, rel] of Object.entries(USER_FILES)) {
  for (const home of [homeAdd, homePlain]) {
    const text = fs.readFileSync(path.join(home, rel), 'utf8');
    if (!text.includes(`bench-${last}`)) failures.push(`${home === homeAdd ? 'add' : 'plain'}: ${id} (${rel}) does not hold bench-${last}`);
  }
}

// ---------------------------------------------------------------------------------------------
// 25 MiB ~/.claude.json: mcpwire add vs plain parse + stringify + write, paired; peak memory of both

const homeBig = path.join(root, 'home-big');
const skipBig = BIG_MAX === 0;
fs.mkdirSync(homeBig, { recursive: true });
const bigFile = path.join(homeBig, '.claude.json');
const tGen = Date.now();
const big = claudeJson(skipBig ? 1024 : BIG_BYTES, 7);
fs.writeFileSync(bigFile, big.text);
const bigSize = fs.statSync(bigFile).size;
log(`25 MiB case: ~/.claude.json ${(bigSize / 1024 / 1024).toFixed(1)} MiB, ${big.projects} projects (generated in ${Date.now() - tGen} ms)`);
const bigS = { plain: [], add: [], ratio: [], plainRss: [], addRss: [], rssRatio: [] };
const tBig = Date.now();
process.stdout.write('25 MiB rounds ');
if (!skipBig) timeRun('warm-up plain', [plainBigScript, bigFile], homeBig);
for (let i = 0; i < BIG_MAX; i++) {
  if (i >= BIG_MIN && Date.now() - tBig > BIG_BUDGET_MS) break;
  const p = timeRun('plain parse+stringify+write', [plainBigScript, bigFile], homeBig, { rss: true });
  const a = timeRun('add into 25 MiB', [BIN, 'mcp', 'add', '--target', 'claude-code', '--url', URL_, '--name', `big-${i}`], homeBig, { rss: true });
  bigS.plain.push(p.ms);
  bigS.add.push(a.ms);
  bigS.ratio.push(a.ms / p.ms);
  bigS.plainRss.push(p.rss);
  bigS.addRss.push(a.rss);
  bigS.rssRatio.push(a.rss / p.rss);
  // Keep mcpwire's backups of the big file from filling the disk.
  fs.rmSync(path.join(homeBig, '.config', 'mcpwire', 'backups'), { recursive: true, force: true });
  process.stdout.write('.');
}
log();
try {
  const doc = JSON.parse(fs.readFileSync(bigFile, 'utf8'));
  if (!skipBig && !doc.mcpServers[`big-${bigS.add.length - 1}`]) failures.push('25 MiB: the last entry is missing from the big file');
} catch (e) {
  failures.push(`25 MiB: the big file does not parse any more: ${e.message}`);
}

// ---------------------------------------------------------------------------------------------
// Report

const results = {
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
  cpus: os.cpus().length,
  loadavgStart: loadStart,
  rounds: ROUNDS,
  home: facts,
  cases: {},
  goals: [],
};
const rows = [];
const fmt = (n, d = 1) => n.toFixed(d);
const plainRatio = median(samples.plain.ratio);
for (const [k, c] of Object.entries(cases)) {
  const s = samples[k];
  const r = median(s.ratio);
  const goal = k === 'add' ? plainRatio : c.goal;
  const verdict = goal === undefined ? '' : r <= goal ? 'PASS' : 'MISS';
  results.cases[k] = {
    label: c.label,
    medianMs: median(s.ms),
    medianBaseMs: median(s.base),
    ratio: r,
    ratioP10: quantile(s.ratio, 0.1),
    ratioP90: quantile(s.ratio, 0.9),
    samples: s,
  };
  if (goal !== undefined) results.goals.push({ case: k, label: c.label, ratio: r, goal, verdict });
  rows.push([
    c.label,
    String(s.ms.length),
    fmt(median(s.ms)),
    fmt(median(s.base)),
    `${fmt(r, 2)}×`,
    `${fmt(quantile(s.ratio, 0.1), 2)}–${fmt(quantile(s.ratio, 0.9), 2)}`,
    goal === undefined ? '' : k === 'add' ? `≤ plain (${fmt(goal, 2)}×); aim 1.5×` : `≤ ${goal}×`,
    verdict,
  ]);
}
if (!skipBig) {
  const r = median(bigS.ratio);
  const m = median(bigS.rssRatio);
  results.cases.big = {
    label: 'add into 25 MiB vs plain',
    plainMs: median(bigS.plain),
    addMs: median(bigS.add),
    ratio: r,
    plainRssKiB: median(bigS.plainRss),
    addRssKiB: median(bigS.addRss),
    rssRatio: m,
    samples: bigS,
  };
  results.goals.push({ case: 'big', label: 'add into 25 MiB, time', ratio: r, goal: 1.5, verdict: r <= 1.5 ? 'PASS' : 'MISS' });
  results.goals.push({ case: 'bigRss', label: 'add into 25 MiB, peak memory', ratio: m, goal: 1.5, verdict: m <= 1.5 ? 'PASS' : 'MISS' });
  rows.push([`plain parse+stringify+write ${fmt(bigSize / 1024 / 1024, 0)} MiB`, String(bigS.plain.length), fmt(median(bigS.plain)), '', '', '', '', '']);
  rows.push([
    `mcp add into ${fmt(bigSize / 1024 / 1024, 0)} MiB ~/.claude.json`,
    String(bigS.add.length),
    fmt(median(bigS.add)),
    fmt(median(bigS.plain)),
    `${fmt(r, 2)}×`,
    `${fmt(Math.min(...bigS.ratio), 2)}–${fmt(Math.max(...bigS.ratio), 2)}`,
    '≤ 1.5× plain',
    r <= 1.5 ? 'PASS' : 'MISS',
  ]);
  rows.push([
    `  peak memory (maxRSS MiB), plain ${fmt(median(bigS.plainRss) / 1024, 0)}`,
    String(bigS.add.length),
    fmt(median(bigS.addRss) / 1024, 0),
    fmt(median(bigS.plainRss) / 1024, 0),
    `${fmt(m, 2)}×`,
    `${fmt(Math.min(...bigS.rssRatio), 2)}–${fmt(Math.max(...bigS.rssRatio), 2)}`,
    '≤ 1.5× plain',
    m <= 1.5 ? 'PASS' : 'MISS',
  ]);
}

const head = ['case', 'runs', 'median ms', 'base ms', 'paired ratio', 'p10–p90', 'goal', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 || i === 6 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
log();
log(line(head));
log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) log(line(r));
log('base: the `node -e 0` run right before each sample (for the 25 MiB add: the plain script right before it).');
// The add against the plain script directly: in each round the two run one after the other, so a
// stretch of a noisy machine weighs on both (the goal's verdict stays the two medians above).
const addVsPlain = samples.add.ms.map((ms, i) => ms / samples.plain.ms[i]);
results.addVsPlain = { median: median(addVsPlain), p10: quantile(addVsPlain, 0.1), p90: quantile(addVsPlain, 0.9) };
log(
  `mcp add / plain script, paired in each round: median ${fmt(results.addVsPlain.median, 2)}× (p10–p90 ${fmt(results.addVsPlain.p10, 2)}–${fmt(results.addVsPlain.p90, 2)}; ≤ 1.00× would be the goal met)`,
);
log();
results.loadavgEnd = os.loadavg();
results.bigFileBytes = bigSize;
results.failures = failures;
results.totalMs = Date.now() - started;
log(
  `load: ${loadStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${results.loadavgEnd.map((x) => x.toFixed(2)).join(' ')} at the end (${os.cpus().length} CPUs)`,
);
if (Math.max(loadStart[0], results.loadavgEnd[0]) > os.cpus().length)
  log('note: the machine was busy; ratios are noisier than usual (paired ratios cancel much of it, not all).');
for (const f of failures) log(`failure: ${f}`);
fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(path.join(OUT_DIR, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
log(
  `${results.goals.filter((g) => g.verdict === 'PASS').length}/${results.goals.length} goals met; ${(results.totalMs / 1000).toFixed(0)} s; results in .bench/bench-results.json`,
);
process.exitCode = 0;

// The stdio bridge (`mcpwire proxy`), in the same run: its own script, which serves an MCP server on
// 127.0.0.1 and drives the bridge (start, per-request overhead, idle memory, a 10 MB result).
// BENCH_PROXY=0 skips it.
if (process.env.BENCH_PROXY !== '0') {
  log();
  log('the stdio bridge (scripts/bench-proxy.mjs):');
  spawnSync(process.execPath, [path.join(REPO, 'scripts', 'bench-proxy.mjs')], { cwd: REPO, stdio: 'inherit' });
}

// doctor (issue 9, point 7): its wall time against its slowest single check, three local servers that
// answer after a set delay and six client files. BENCH_DOCTOR=0 skips it.
if (process.env.BENCH_DOCTOR !== '0') {
  log();
  log('doctor (scripts/bench-doctor.mjs):');
  spawnSync(process.execPath, [path.join(REPO, 'scripts', 'bench-doctor.mjs')], { cwd: REPO, stdio: 'inherit' });
}

// setup (issue 10, point 8): its own work for six clients with a valid stored login, against
// `node -e 0` as paired ratios (no network or browser wait). BENCH_SETUP=0 skips it.
if (process.env.BENCH_SETUP !== '0') {
  log();
  log('setup (scripts/bench-setup.mjs):');
  spawnSync(process.execPath, [path.join(REPO, 'scripts', 'bench-setup.mjs')], { cwd: REPO, stdio: 'inherit' });
}

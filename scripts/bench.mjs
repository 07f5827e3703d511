#!/usr/bin/env node
/**
 * `npm run bench`: how fast is mcpwire, as ratios against Node itself, all measured in this one run.
 *
 *   (a) `mcpwire --help`                                  vs `node -e 0`           goal ≤ 1.3×
 *   (b) `mcpwire mcp add --target all …` (six files)      vs `node -e 0`           goal ≤ 1.6×
 *   (c) `mcpwire mcp add` into a 25 MB ~/.claude.json     vs a plain Node script   goal ≤ 3×
 *       (JSON.parse + JSON.stringify(v, null, 2) + writeFileSync of the same file)
 *
 * Every case is a spawned process (start-up counts the same for all), runs are interleaved with their
 * baseline so drift in the machine's load hits both alike, and each add uses a fresh entry name so it
 * really writes. Reports median and p90 (ms) and the ratio of the medians; prints PASS/MISS per goal;
 * writes .bench/bench-results.json. Always exits 0: it measures, it does not judge.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'mcpwire.js');
const OUT_DIR = path.join(REPO, '.bench');
const URL_ = 'https://mcp.pelcro.com/';
const started = Date.now();

const REPS_STARTUP = Number(process.env.BENCH_REPS ?? 30); // (a) and (b)
const REPS_BIG_MIN = 3; // (c): at least, and at most…
const REPS_BIG_MAX = 7;
const BIG_BUDGET_MS = 60_000; // …while (c) stays within this
const BIG_BYTES = 25 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------

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

function envFor(home) {
  // A clean environment: every client path derives from HOME.
  return { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', LANG: 'C.UTF-8' };
}

const failures = [];
/** Spawn `node …args`, wait for it, return the wall time in ms. */
function timeRun(label, args, home, cwd = root) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env: envFor(home), stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 20 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) failures.push(`${label}: exit ${r.status ?? r.signal}: ${String(r.stderr).trim().split('\n')[0]}`);
  return ms;
}

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { runs: s.length, median: s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p90: q(0.9), min: s[0], max: s[s.length - 1] };
}

function prng(seed) {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A realistic ~/.claude.json of about `bytes`: many projects["/path"] with history, strict JSON, 2-space indent. */
function bigClaudeJson(bytes) {
  const rnd = prng(42);
  const words = ['fix', 'the', 'failing', 'test', 'in', 'src/parser.ts', 'why does', 'refactor', 'über', '日本語', 'emoji 🚀', 'lock', '"quoted"', 'path\\to', 'line\nbreak', 'deploy', 'migration', 'explain'];
  const sentence = (n) => Array.from({ length: n }, () => words[Math.floor(rnd() * words.length)]).join(' ');
  const doc = {
    numStartups: 1312,
    installMethod: 'native',
    autoUpdates: true,
    theme: 'dark',
    tipsHistory: { 'new-user-warmup': 7, 'memory-command': 41, 'theme-command': 3 },
    userID: createHash('sha256').update('bench').digest('hex'),
    firstStartTime: '2025-03-14T09:26:53.589Z',
    projects: {},
    oauthAccount: { accountUuid: '5f0c2d9e-8d1a-4c55-9a7e-2b8e1f3c4d5e', emailAddress: 'dev@example.com' },
    mcpServers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' } },
    hasCompletedOnboarding: true,
  };
  const project = (i) => ({
    allowedTools: rnd() < 0.3 ? ['Bash(npm test:*)', 'Edit'] : [],
    history: Array.from({ length: 20 + Math.floor(rnd() * 60) }, () => ({
      display: sentence(4 + Math.floor(rnd() * 30)),
      pastedContents: rnd() < 0.08 ? { 1: { id: 1, type: 'text', content: sentence(60) } } : {},
    })),
    mcpContextUris: [],
    mcpServers: {},
    enabledMcpjsonServers: [],
    disabledMcpjsonServers: [],
    hasTrustDialogAccepted: rnd() < 0.8,
    projectOnboardingSeenCount: Math.floor(rnd() * 5),
    hasClaudeMdExternalIncludesApproved: false,
    lastCost: Math.round(rnd() * 1e6) / 1e4,
    lastAPIDuration: Math.floor(rnd() * 1e6),
    lastDuration: Math.floor(rnd() * 1e7),
    lastLinesAdded: Math.floor(rnd() * 500),
    lastLinesRemoved: Math.floor(rnd() * 300),
    lastTotalInputTokens: Math.floor(rnd() * 1e6),
    lastSessionId: `${i.toString(16).padStart(8, '0')}-1b2c-4d3e-8f90-${Math.floor(rnd() * 1e12).toString(16).padStart(12, '0')}`,
  });
  // Fill up to an estimate, then drop projects from the end until the size fits (±1%).
  const key = (i) => `/home/dev/src/${['api', 'web', 'infra', 'tools', 'ml'][i % 5]}/project-${i}`;
  let size = JSON.stringify(doc, null, 2).length;
  let count = 0;
  for (; size < bytes; count++) {
    const p = project(count);
    doc.projects[key(count)] = p;
    size += JSON.stringify({ [key(count)]: p }, null, 2).length; // a bit less than in the document (deeper there): trimmed below
  }
  let text = JSON.stringify(doc, null, 2);
  while (Buffer.byteLength(text) > bytes * 1.01 && count > 1) {
    const drop = Math.max(1, Math.floor(((Buffer.byteLength(text) - bytes) / Buffer.byteLength(text)) * count));
    for (let i = 0; i < drop; i++) delete doc.projects[key(--count)];
    text = JSON.stringify(doc, null, 2);
  }
  return { text, projects: count };
}

const fmt = (n) => n.toFixed(1);
const results = { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: os.cpus().length, loadavgStart: os.loadavg(), cases: {}, goals: [] };

// ---------------------------------------------------------------------------------------------
// (a) --help and (b) add --target all, each interleaved with `node -e 0`

log(`mcpwire bench — node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const homeB = path.join(root, 'home-all');
fs.mkdirSync(homeB, { recursive: true });
const baseA = [];
const helpA = [];
const baseB = [];
const addB = [];
let n = 0;
for (let i = 0; i < 3; i++) {
  // Warm-up (compile cache, page cache).
  timeRun('warm-up node', ['-e', '0'], homeB);
  timeRun('warm-up help', [BIN, '--help'], homeB);
  timeRun('warm-up add', [BIN, 'mcp', 'add', '--target', 'all', '--url', URL_, '--name', `warm-${i}`], homeB);
}
process.stdout.write(`(a)/(b) ${REPS_STARTUP} rounds `);
for (let i = 0; i < REPS_STARTUP; i++) {
  baseA.push(timeRun('node -e 0', ['-e', '0'], homeB));
  helpA.push(timeRun('--help', [BIN, '--help'], homeB));
  baseB.push(timeRun('node -e 0', ['-e', '0'], homeB));
  addB.push(timeRun('add --target all', [BIN, 'mcp', 'add', '--target', 'all', '--url', URL_, '--name', `bench-${++n}`], homeB));
  if (i % 5 === 4) process.stdout.write('.');
}
log();
// Every add really wrote all six files.
const six = ['.claude.json', '.codex/config.toml', '.cursor/mcp.json', '.config/Claude/claude_desktop_config.json', '.config/Code/User/mcp.json', '.codeium/windsurf/mcp_config.json'];
for (const f of six) {
  const text = fs.existsSync(path.join(homeB, f)) ? fs.readFileSync(path.join(homeB, f), 'utf8') : '';
  if (!text.includes(`bench-${n}`)) failures.push(`(b): ${f} does not hold bench-${n}`);
}

// ---------------------------------------------------------------------------------------------
// (c) 25 MB ~/.claude.json: mcpwire add vs a plain parse + stringify + write, interleaved

const homeC = path.join(root, 'home-big');
fs.mkdirSync(homeC, { recursive: true });
const bigFile = path.join(homeC, '.claude.json');
const tGen = Date.now();
const big = bigClaudeJson(BIG_BYTES);
fs.writeFileSync(bigFile, big.text);
const bigSize = fs.statSync(bigFile).size;
log(`(c) generated ~/.claude.json: ${(bigSize / 1024 / 1024).toFixed(1)} MiB, ${big.projects} projects (${Date.now() - tGen} ms)`);
const plainScript = path.join(root, 'plain.mjs');
fs.writeFileSync(
  plainScript,
  "import { readFileSync, writeFileSync } from 'node:fs';\nconst f = process.argv[2];\nconst v = JSON.parse(readFileSync(f, 'utf8'));\nwriteFileSync(f, JSON.stringify(v, null, 2));\n",
);
const plainC = [];
const addC = [];
const tBig = Date.now();
process.stdout.write('(c) rounds ');
timeRun('warm-up plain', [plainScript, bigFile], homeC);
for (let i = 0; i < REPS_BIG_MAX; i++) {
  if (i >= REPS_BIG_MIN && Date.now() - tBig > BIG_BUDGET_MS) break;
  plainC.push(timeRun('plain parse+stringify+write', [plainScript, bigFile], homeC));
  addC.push(timeRun('add into 25 MB', [BIN, 'mcp', 'add', '--target', 'claude-code', '--url', URL_, '--name', `big-${i}`], homeC));
  // Keep mcpwire's backups of the big file from filling the disk.
  fs.rmSync(path.join(homeC, '.config', 'mcpwire', 'backups'), { recursive: true, force: true });
  process.stdout.write('.');
}
log();
try {
  const doc = JSON.parse(fs.readFileSync(bigFile, 'utf8'));
  if (!doc.mcpServers[`big-${addC.length - 1}`]) failures.push('(c): the last entry is missing from the big file');
} catch (e) {
  failures.push(`(c): the big file does not parse any more: ${e.message}`);
}

// ---------------------------------------------------------------------------------------------
// Report

const rows = [];
function row(key, label, samples, base, goal) {
  const s = stats(samples);
  const b = base ? stats(base) : undefined;
  const ratio = b ? s.median / b.median : undefined;
  const verdict = goal === undefined ? '' : ratio <= goal ? 'PASS' : 'MISS';
  results.cases[key] = { label, ...s, samples, ...(ratio !== undefined ? { ratio, goal, verdict } : {}) };
  if (goal !== undefined) results.goals.push({ case: key, label, ratio, goal, verdict });
  rows.push([label, String(s.runs), fmt(s.median), fmt(s.p90), ratio === undefined ? '' : `${ratio.toFixed(2)}×`, goal === undefined ? '' : `≤ ${goal}×`, verdict]);
}
row('baselineA', 'node -e 0 (with a)', baseA);
row('help', '(a) mcpwire --help', helpA, baseA, 1.3);
row('baselineB', 'node -e 0 (with b)', baseB);
row('addAll', '(b) mcp add --target all (6 files)', addB, baseB, 1.6);
row('plainBig', `(c) plain parse+stringify+write ${(bigSize / 1024 / 1024).toFixed(0)} MiB`, plainC);
row('addBig', `(c) mcp add into ${(bigSize / 1024 / 1024).toFixed(0)} MiB ~/.claude.json`, addC, plainC, 3);

const head = ['case', 'runs', 'median ms', 'p90 ms', 'ratio', 'goal', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
log();
log(line(head));
log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const r of rows) log(line(r));
log();
results.loadavgEnd = os.loadavg();
results.bigFileBytes = bigSize;
results.failures = failures;
results.totalMs = Date.now() - started;
if (os.loadavg()[0] > os.cpus().length) log(`note: the machine was busy (load ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs); ratios are noisier than usual.`);
for (const f of failures) log(`failure: ${f}`);
fs.mkdirSync(OUT_DIR, { recursive: true });
fs.writeFileSync(path.join(OUT_DIR, 'bench-results.json'), JSON.stringify(results, null, 2) + '\n');
log(`${results.goals.filter((g) => g.verdict === 'PASS').length}/${results.goals.length} goals met; ${(results.totalMs / 1000).toFixed(0)} s; results in ${path.relative(process.cwd(), path.join(OUT_DIR, 'bench-results.json')) || '.bench/bench-results.json'}`);
process.exitCode = 0;

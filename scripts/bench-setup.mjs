#!/usr/bin/env node
// setup's own work (issue 10, point 8): `mcpwire setup URL --target all --yes` into a realistic HOME
// (scripts/bench-home.mjs) with a valid login already stored (credentials file), so nothing waits on
// the network or a browser: plan, credential look-up, six client files written durably with the
// journal, state recorded, summary. Medians of PAIRED ratios against `node -e 0` run right before each
// sample; goal ≤ 2×. Each round wires a fresh name (a first setup: six entries added) and then re-runs
// it (six entries unchanged); `mcp add --target all` is measured beside them, for reference.
// BENCH_REPS=n rounds (default 20). Measures; always exits 0.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildRealisticHome, childCpuMs, storeLogins } from './bench-home.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin', 'mcpwire.js');
const ROUNDS = Number(process.env.BENCH_REPS ?? 20);
const URL_ = 'https://mcp.pelcro.com/';
const ISSUER = 'https://auth.pelcro.com';

if (!fs.existsSync(path.join(REPO, 'dist', 'setup.cjs')))
  spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build.mjs')], { cwd: REPO, stdio: 'inherit' });

const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bench-setup-')));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
const home = path.join(root, 'home');
fs.mkdirSync(home);
buildRealisticHome(home);
// A valid login for every name a round uses (what `auth login` stores), in the 0600 credentials file.
const names = Array.from({ length: ROUNDS + 2 }, (_, i) => `bench-${i}`);
storeLogins(home, names, URL_, ISSUER);

const env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', LANG: 'C.UTF-8', MCPWIRE_CREDENTIAL_STORE: 'file' };
let failures = 0;
const cpu = { first: 0, rerun: 0, add: 0, node: 0 };
function time(args, k) {
  const c0 = childCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (k) cpu[k] += childCpuMs() - c0;
  if (r.status !== 0) {
    failures++;
    if (failures === 1) process.stdout.write(`failed: ${String(r.stderr).trim().split('\n').slice(-2).join(' / ')}\n`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// --no-doctor: doctor's checks talk to the server (the network), which is not setup's own work.
const setup = (name) => [BIN, 'setup', URL_, '--name', name, '--target', 'all', '--yes', '--no-doctor'];
// Warm-up (V8 code cache, page cache), not counted.
time(['-e', '0']);
time(setup(names[ROUNDS]));
const cases = { first: { ms: [], ratio: [] }, rerun: { ms: [], ratio: [] }, add: { ms: [], ratio: [] }, node: [] };
for (let i = 0; i < ROUNDS; i++) {
  for (const [k, args] of [
    ['first', setup(names[i])],
    ['rerun', setup(names[i])],
    // For comparison: the same six writes by `mcp add` (no plan, no credential look-up).
    ['add', [BIN, 'mcp', 'add', URL_, '--name', `add-${i}`, '--target', 'all']],
  ]) {
    const base = time(['-e', '0'], 'node');
    const ms = time(args, k);
    cases.node.push(base);
    cases[k].ms.push(ms);
    cases[k].ratio.push(ms / base);
  }
}
const fmt = (n) => n.toFixed(1);
process.stdout.write(`setup --target all, valid login stored, ${ROUNDS} rounds, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}\n`);
process.stdout.write(`  node -e 0                  ${fmt(median(cases.node))} ms\n`);
const label = { first: 'first setup (6 added)', rerun: 're-run (6 unchanged)', add: 'mcp add (6 added)' };
for (const k of ['first', 'rerun', 'add']) {
  const r = median(cases[k].ratio);
  const goal = k === 'add' ? '(reference)' : `goal ≤ 2×  ${r <= 2 ? 'PASS' : 'MISS'}`;
  process.stdout.write(`  ${label[k].padEnd(26)} ${fmt(median(cases[k].ms))} ms   ${r.toFixed(2)}× node   ${goal}\n`);
}
if (!Number.isNaN(cpu.node)) {
  const per = (k, n) => cpu[k] / n;
  const nodeCpu = per('node', ROUNDS * 3);
  process.stdout.write(`  CPU time (user+sys, mean): node -e 0 ${fmt(nodeCpu)} ms`);
  for (const k of ['first', 'rerun', 'add']) process.stdout.write(`, ${k} ${fmt(per(k, ROUNDS))} ms (${(per(k, ROUNDS) / nodeCpu).toFixed(2)}×)`);
  process.stdout.write('\n');
}
if (failures) process.stdout.write(`${failures} runs failed\n`);
// BENCH_CPU_PROF=DIR: one more first setup under `node --cpu-prof`, its profile left in DIR (open it in
// Chrome DevTools' Performance panel).
if (process.env.BENCH_CPU_PROF) {
  const dir = path.resolve(process.env.BENCH_CPU_PROF);
  time(['--cpu-prof', '--cpu-prof-dir', dir, '--cpu-prof-interval', '100', ...setup(names[ROUNDS + 1])]);
  process.stdout.write(`profile in ${dir}\n`);
}

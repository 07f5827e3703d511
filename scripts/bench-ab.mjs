#!/usr/bin/env node
/**
 * Is build B faster than build A? `npm run bench` compares mcpwire with `node -e 0`; on a noisy machine
 * a change of 2–5 ms disappears in run-to-run noise. This compares two builds directly:
 *
 *   node scripts/bench-ab.mjs A_DIR B_DIR [--rounds N] [--setup] [--journaled K]
 *
 * A_DIR and B_DIR are checkouts (or copies) each with bin/ and a built dist/ (e.g. `git worktree add
 * ../a HEAD~1 && (cd ../a && npm ci && npm run build)`). Each round runs `node -e 0`, then the same
 * command with each build, the order flipped every round (the second of a pair finds warmer caches),
 * each into a fresh copy of the same realistic HOME (scripts/bench-home.mjs) that already holds K
 * journaled commands (default 20: a user's state after a while, where `state.json` and the journal
 * are at their usual size). It reports, per build, the median and mean ratio to the `node -e 0` run
 * of the round, and the mean CPU time (user + sys) of the command, which a loaded machine disturbs
 * less than the wall clock. `--setup` measures `setup URL --target all --yes --no-doctor` with a valid
 * login stored; the default is `mcp add --target all`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRealisticHome, childCpuMs, storeLogins } from './bench-home.mjs';

const args = process.argv.slice(2);
const flag = (name, def) => {
  const i = args.indexOf(name);
  if (i === -1) return def;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const rounds = Number(flag('--rounds', 40));
const journaled = Number(flag('--journaled', 20));
const setup = args.includes('--setup');
const dirs = args.filter((a) => a !== '--setup').map((d) => path.resolve(d));
if (dirs.length !== 2 || dirs.some((d) => !fs.existsSync(path.join(d, 'bin', 'mcpwire.js')) || !fs.existsSync(path.join(d, 'dist', 'cli.cjs')))) {
  process.stderr.write(
    'usage: node scripts/bench-ab.mjs A_DIR B_DIR [--rounds N] [--setup] [--journaled K]\n  (each DIR with bin/mcpwire.js and a built dist/)\n',
  );
  process.exit(2);
}

const URL_ = 'https://mcp.pelcro.com/';
const ISSUER = 'https://auth.pelcro.com';
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bench-ab-')));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
const names = Array.from({ length: rounds + 2 }, (_, i) => `ab-${i}`);

// One template HOME per build, each brought to the same point by that build's own commands.
function template(dir, k) {
  const home = path.join(root, `template-${k}`);
  fs.mkdirSync(home);
  buildRealisticHome(home);
  const env = envFor(home);
  for (let i = 0; i < journaled; i++)
    spawnSync(
      process.execPath,
      [path.join(dir, 'bin', 'mcpwire.js'), 'mcp', 'add', '--target', 'all', '--url', `https://s${i}.example/mcp`, '--name', `s${i}`],
      { env, stdio: 'ignore' },
    );
  storeLogins(home, names, URL_, ISSUER);
  return home;
}
function envFor(home) {
  return { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', LANG: 'C.UTF-8', MCPWIRE_CREDENTIAL_STORE: 'file' };
}

const run = (argv, env) => {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) process.stderr.write(`exit ${r.status}: ${String(r.stderr).trim().split('\n').slice(-2).join(' / ')}\n`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
};

const builds = dirs.map((dir, k) => ({ dir, label: 'AB'[k], template: template(dir, k), ratios: [], cpu: 0 }));
const work = path.join(root, 'home');
for (let i = -2; i < rounds; i++) {
  const base = run(['-e', '0'], envFor(root));
  for (const b of i % 2 ? builds : [...builds].reverse()) {
    fs.rmSync(work, { recursive: true, force: true });
    fs.cpSync(b.template, work, { recursive: true });
    const bin = path.join(b.dir, 'bin', 'mcpwire.js');
    const name = names[i + 2];
    const argv = setup
      ? [bin, 'setup', URL_, '--name', name, '--target', 'all', '--yes', '--no-doctor']
      : [bin, 'mcp', 'add', '--target', 'all', '--url', URL_, '--name', name];
    const c0 = childCpuMs();
    const ms = run(argv, envFor(work));
    // Two warm-up rounds (code caches, page cache) are not counted.
    if (i >= 0) {
      b.ratios.push(ms / base);
      b.cpu += childCpuMs() - c0;
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(
  `${setup ? 'setup' : 'mcp add'} --target all, ${rounds} rounds, ${journaled} journaled commands in the HOME, load ${os.loadavg()[0].toFixed(2)}\n`,
);
for (const b of builds)
  process.stdout.write(
    `  ${b.label} ${b.dir}: ratio to node -e 0 median ${median(b.ratios).toFixed(3)}×, mean ${mean(b.ratios).toFixed(3)}×; CPU ${(b.cpu / rounds).toFixed(1)} ms per run\n`,
  );

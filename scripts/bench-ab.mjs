#!/usr/bin/env node
/**
 * Is build B faster than build A? `npm run bench` compares mcpwire with `node -e 0`; on a noisy machine
 * a change of 2–5 ms disappears in run-to-run noise. This compares builds directly:
 *
 *   node scripts/bench-ab.mjs A_DIR B_DIR [C_DIR …] [--rounds N] [--setup] [--journaled K] [--plain] [--template DIR] [--grow]
 *
 * Each DIR is a checkout (or a copy) with bin/ and a built dist/ (e.g. `git worktree add ../a HEAD~1 &&
 * (cd ../a && npm ci && npm run build)`; one DIR is enough with --plain). Each round runs `node -e 0`,
 * then the same command with each build, the order rotated every round (a later run finds warmer
 * caches), each into a fresh copy of the same realistic HOME (scripts/bench-home.mjs) that already
 * holds K journaled commands (default 20: a user's state after a while, where `state.json` and the
 * journal are at their usual size). It reports, per build, the median and mean ratio to the `node -e
 * 0` run of the round, and the mean CPU time (user + sys) of the command, which a loaded machine
 * disturbs less than the wall clock. `--setup` measures `setup URL --target all --yes --no-doctor`
 * with a valid login stored; the default is `mcp add --target all`.
 *
 * `--plain` adds the plain script of `npm run bench` (PLAIN in scripts/bench-home.mjs, into a copy of
 * a HOME it has itself written K times) and each build's paired ratio to it in the same round: issue 7
 * point 1's measure, for builds that differ by one change. `--template DIR` makes every build's HOME
 * with DIR's build, so that a build that records less (an experiment without the journal, say) is
 * still measured against a state of the usual size. `--grow` runs each case in its own HOME round
 * after round, as `npm run bench` does (the HOME, `state.json` and the journal grow by one command a
 * round), instead of a fresh copy each time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildRealisticHome, childCpuMs, PLAIN, storeLogins } from './bench-home.mjs';

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
const templateDir = flag('--template', undefined);
const setup = args.includes('--setup');
const withPlain = args.includes('--plain');
const grow = args.includes('--grow');
const dirs = args.filter((a) => a !== '--setup' && a !== '--plain' && a !== '--grow').map((d) => path.resolve(d));
const isBuild = (d) => fs.existsSync(path.join(d, 'bin', 'mcpwire.js')) && fs.existsSync(path.join(d, 'dist', 'cli.cjs'));
if (dirs.length < (withPlain ? 1 : 2) || [...dirs, ...(templateDir ? [path.resolve(templateDir)] : [])].some((d) => !isBuild(d)) || (setup && withPlain)) {
  process.stderr.write(
    'usage: node scripts/bench-ab.mjs A_DIR B_DIR [C_DIR …] [--rounds N] [--setup] [--journaled K] [--plain] [--template DIR] [--grow]\n' +
      '  (each DIR with bin/mcpwire.js and a built dist/; one DIR is enough with --plain, which measures mcp add only)\n',
  );
  process.exit(2);
}

const URL_ = 'https://mcp.pelcro.com/';
const ISSUER = 'https://auth.pelcro.com';
const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-bench-ab-')));
process.on('exit', () => fs.rmSync(root, { recursive: true, force: true }));
const names = Array.from({ length: rounds + 2 }, (_, i) => `ab-${i}`);

const plainScript = path.join(root, 'plain.cjs');
fs.writeFileSync(plainScript, PLAIN);

// One template HOME per build, each brought to the same point by that build's own commands (or by
// --template's build); the plain script's by the plain script.
function template(dir, k) {
  const home = path.join(root, `template-${k}`);
  fs.mkdirSync(home);
  buildRealisticHome(home);
  const env = envFor(home);
  const by = dir && templateDir ? path.resolve(templateDir) : dir;
  for (let i = 0; i < journaled; i++) {
    const url = `https://s${i}.example/mcp`;
    const argv = by
      ? [path.join(by, 'bin', 'mcpwire.js'), 'mcp', 'add', '--target', 'all', '--url', url, '--name', `s${i}`]
      : [plainScript, home, `s${i}`, url];
    spawnSync(process.execPath, argv, { env, stdio: 'ignore' });
  }
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

const builds = dirs.map((dir, k) => ({ dir, label: String.fromCharCode(65 + k), template: template(dir, k), ratios: [], ms: [], cpu: 0 }));
const plain = withPlain ? { dir: null, label: 'plain', template: template(null, 'plain'), ratios: [], ms: [], cpu: 0 } : undefined;
const cases = plain ? [plain, ...builds] : builds;
const work = path.join(root, 'home');
for (let i = -2; i < rounds; i++) {
  const base = run(['-e', '0'], envFor(root));
  // Rotated: each case takes each place in the order equally often.
  const shift = (i + 2) % cases.length;
  for (const b of [...cases.slice(shift), ...cases.slice(0, shift)]) {
    const home = grow ? b.template : work;
    if (!grow) {
      fs.rmSync(work, { recursive: true, force: true });
      fs.cpSync(b.template, work, { recursive: true });
    }
    const name = names[i + 2];
    const bin = b.dir && path.join(b.dir, 'bin', 'mcpwire.js');
    const argv = !bin
      ? [plainScript, home, name, URL_]
      : setup
        ? [bin, 'setup', URL_, '--name', name, '--target', 'all', '--yes', '--no-doctor']
        : [bin, 'mcp', 'add', '--target', 'all', '--url', URL_, '--name', name];
    const c0 = childCpuMs();
    const ms = run(argv, envFor(home));
    // Two warm-up rounds (code caches, page cache) are not counted.
    if (i >= 0) {
      b.ratios.push(ms / base);
      b.ms.push(ms);
      b.cpu += childCpuMs() - c0;
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
process.stdout.write(
  `${setup ? 'setup' : 'mcp add'} --target all, ${rounds} rounds, ${journaled} journaled commands in the HOME${templateDir ? ` (made by ${templateDir})` : ''}${grow ? ', growing' : ', a fresh copy each run'}, load ${os.loadavg()[0].toFixed(2)}\n`,
);
for (const b of cases) {
  const paired = plain && b !== plain ? `; paired to the plain script ${median(b.ms.map((m, r) => m / plain.ms[r])).toFixed(3)}×` : '';
  process.stdout.write(
    `  ${b.label} ${b.dir ?? 'the plain script'}: ratio to node -e 0 median ${median(b.ratios).toFixed(3)}×, mean ${mean(b.ratios).toFixed(3)}×; CPU ${(b.cpu / rounds).toFixed(1)} ms per run${paired}\n`,
  );
}

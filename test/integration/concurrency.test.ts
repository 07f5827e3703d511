/**
 * Concurrency, with real processes and real files: 8 mcpwire processes start at the same moment and
 * each adds a different entry (e1…e8) to the SAME file. Afterwards the file parses, holds all 8
 * entries and everything it held before, and is byte for byte what 8 sequential adds in the same
 * order produce (so nothing outside the entries moved). mcpwire's own state (ledger, journal, known
 * servers) must have all 8 updates too, and no lock or temp file may be left.
 *
 * Files: ~/.claude.json (strict JSON, under Claude Code's lock ~/.claude.json.lock),
 * ~/.codex/config.toml (TOML with comments), ~/.cursor/mcp.json (JSONC with comments); each for a few
 * rounds, plus rounds where every process writes all three files.
 *
 * Start gate: each process loads the CLI bundles (dist/cli.cjs, dist/mcp.cjs), says "ready", and waits for
 * one byte on stdin; when all 8 are ready they get it at once and run the command.
 *
 * Also: a fresh `~/.claude.json.lock` (as Claude Code holds it) makes mcpwire wait until it is
 * removed; a stale one (mtime older than 10 s) is taken over.
 */
import { claudeJson, parseJsonc, snapshotCli, walk } from './cli-harness.js';
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as tomlParse } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The launcher of a private snapshot of bin/ + dist/ (set in beforeAll). */
let BIN = path.join(REPO, 'bin', 'mcpwire.js');
const N = 8;
const ROUNDS = 3;
const urlOf = (i: number) => `https://mcp${i}.example.com/mcp`;

// ---------------------------------------------------------------------------------------------
// Seed documents

const CURSOR_SEED = `// Cursor MCP servers (hand-edited)
{
  "mcpServers": {
    /* GitHub */
    "github": { "url": "https://api.githubcopilot.com/mcp/" }, // inline
    "tools": {
      "command": "node",
      "args": ["/opt/tools/server.js"],
    },
  },
  // other settings stay as they are
  "editor.theme": "dark",
}
`;

const CODEX_SEED = `# Codex configuration — hand-written, comments must survive
model = "gpt-5-codex"
approval_policy = "on-request"   # ask before running commands

[profiles.fast]
model = "gpt-5-mini"

# MCP servers
[mcp_servers.docs]
command = "npx"
args = ["-y", "@acme/docs-mcp"]

[mcp_servers.remote]
url = "https://mcp.remote.example/mcp"
bearer_token_env_var = "REMOTE_TOKEN"   # from the environment

[projects."/home/dev/src/app"]
trust_level = "trusted"
`;

interface Target {
  id: 'claude-code' | 'codex' | 'cursor';
  rel: string;
  seed: string;
  parse(text: string): Record<string, unknown>;
  /** The entries in the document (container → name → value). */
  entries(doc: Record<string, unknown>): Record<string, unknown>;
  /** The entry value mcpwire writes for urlOf(i). */
  expected(i: number): unknown;
  /** Names that were in the seed. */
  before: string[];
}

const TARGETS: Target[] = [
  {
    id: 'claude-code',
    rel: '.claude.json',
    seed: claudeJson(120_000),
    parse: (t) => JSON.parse(t),
    entries: (d) => d.mcpServers as Record<string, unknown>,
    expected: (i) => ({ type: 'http', url: urlOf(i) }),
    before: ['filesystem', 'github', 'sentry'],
  },
  {
    id: 'codex',
    rel: path.join('.codex', 'config.toml'),
    seed: CODEX_SEED,
    parse: (t) => tomlParse(t) as Record<string, unknown>,
    entries: (d) => d.mcp_servers as Record<string, unknown>,
    expected: (i) => ({ url: urlOf(i) }),
    before: ['docs', 'remote'],
  },
  {
    id: 'cursor',
    rel: path.join('.cursor', 'mcp.json'),
    seed: CURSOR_SEED,
    parse: (t) => parseJsonc(t) as Record<string, unknown>,
    entries: (d) => d.mcpServers as Record<string, unknown>,
    expected: (i) => ({ url: urlOf(i) }),
    before: ['github', 'tools'],
  },
];

// ---------------------------------------------------------------------------------------------
// Helpers

function childEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', LANG: 'C.UTF-8' };
}

interface Done {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function collect(child: ChildProcessWithoutNullStreams, t0 = performance.now()): Promise<Done> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

function run(home: string, cwd: string, args: string[]): { child: ChildProcessWithoutNullStreams; done: Promise<Done> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: childEnv(home), stdio: 'pipe' });
  child.stdin.end();
  return { child, done: collect(child) };
}

/**
 * The start gate: load the CLI bundles, print "ready", wait for stdin, then run the
 * launcher with the given arguments (exactly as `node bin/mcpwire.js …` would).
 */
const GATE = `
const path = require('node:path');
const [bin, ...args] = process.argv.slice(1);
const dist = path.join(path.dirname(bin), '..', 'dist');
for (const b of ['cli', 'mcp']) require(path.join(dist, b + '.cjs')); // load (and warm) the program before the race
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  process.argv = [process.execPath, bin, ...args];
  require(bin);
});
`;

/** Start all commands behind the gate, open it when all are ready, and wait for all of them. */
async function race(home: string, cwd: string, commands: string[][]): Promise<Done[]> {
  const children = commands.map((args) => spawn(process.execPath, ['-e', GATE, BIN, ...args], { cwd, env: childEnv(home), stdio: 'pipe' }));
  const done = children.map((c) => collect(c));
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve, reject) => {
          let buf = '';
          const onData = (d: Buffer) => {
            buf += d;
            if (buf.includes('ready\n')) {
              c.stdout.off('data', onData);
              resolve();
            }
          };
          c.stdout.on('data', onData);
          c.on('close', () => reject(new Error(`gate process exited before it was ready: ${buf}`)));
        }),
    ),
  );
  for (const c of children) c.stdin.end('go');
  const results = await Promise.all(done);
  return results.map((r) => ({ ...r, stdout: r.stdout.replace(/^ready\n/, '') }));
}

/** Run several commands one after another in ONE process (the snapshot's main()), for the expected bytes. */
function replay(home: string, cwd: string, commands: string[][]): void {
  const script = `
const path = require('node:path');
const [bin, json] = process.argv.slice(1);
const { main } = require(path.join(path.dirname(bin), '..', 'dist', 'cli.cjs'));
(async () => {
  for (const args of JSON.parse(json)) {
    await main([process.execPath, bin, ...args]);
    if (process.exitCode) { console.error('replay failed: ' + args.join(' ')); process.exit(1); }
  }
})();
`;
  execFileSync(process.execPath, ['-e', script, BIN, JSON.stringify(commands)], { cwd, env: childEnv(home), stdio: ['ignore', 'ignore', 'pipe'] });
}

let root: string;
let seq = 0;

function freshHome(targets: Target[]): { home: string; cwd: string } {
  const base = path.join(root, `h${++seq}`);
  const home = path.join(base, 'home');
  const cwd = path.join(base, 'project');
  fs.mkdirSync(cwd, { recursive: true });
  for (const t of targets) {
    const file = path.join(home, t.rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, t.seed);
  }
  return { home, cwd };
}

const stateDir = (home: string) => path.join(home, '.config', 'mcpwire');
const names = Array.from({ length: N }, (_, i) => `e${i + 1}`);
const addArgs = (ids: string, i: number) => ['mcp', 'add', '--target', ids, '--url', urlOf(i + 1), '--name', `e${i + 1}`, '--json'];

/** Everything that must hold after N concurrent adds to the files of `targets`. */
function checkAfterRace(home: string, targets: Target[], results: Done[]): string[] {
  const orders: string[] = [];
  results.forEach((r, i) => {
    expect(r.code, `process e${i + 1}: ${r.stderr}`).toBe(0);
    const out = JSON.parse(r.stdout) as { changes: Array<{ target: string; action: string }> };
    expect(out.changes.map((c) => [c.target, c.action])).toEqual(targets.map((t) => [t.id, 'added']));
  });
  for (const t of targets) {
    const file = path.join(home, t.rel);
    const text = fs.readFileSync(file, 'utf8');
    const doc = t.parse(text);
    const entries = t.entries(doc);
    // Everything the seed held, plus exactly the 8 new entries.
    expect(Object.keys(entries).sort()).toEqual([...t.before, ...names].sort());
    for (let i = 0; i < N; i++) expect(entries[`e${i + 1}`], `${t.id}: e${i + 1}`).toEqual(t.expected(i + 1));
    const seedDoc = t.parse(t.seed);
    const rest = (d: Record<string, unknown>) => {
      const c = structuredClone(d);
      for (const n of names) delete t.entries(c)[n];
      return c;
    };
    expect(rest(doc)).toEqual(seedDoc);
    // Byte for byte: the same 8 adds, one after another, in the order the race serialised them.
    const order = Object.keys(entries).filter((n) => names.includes(n));
    const { home: h2, cwd: c2 } = freshHome([t]);
    replay(
      h2,
      c2,
      order.map((n) => addArgs(t.id, Number(n.slice(1)) - 1)),
    );
    const expectedText = fs.readFileSync(path.join(h2, t.rel), 'utf8');
    expect(text === expectedText, `${t.id}: the file differs from ${order.join(', ')} added one after another`).toBe(true);
    orders.push(`${t.id}: ${order.join(' ')}`);
  }
  // mcpwire's own state took all 8 updates (it is read-modify-written under its own lock).
  const state = JSON.parse(fs.readFileSync(path.join(stateDir(home), 'state.json'), 'utf8')) as {
    ledger: Record<string, { target: string; name: string }>;
    journal: Array<{ id: string; command: string; detail?: string }>;
    servers: Record<string, unknown>;
  };
  const { ledger, servers } = state;
  // state.json keeps a short record of each command; its files are in the details beside its backups.
  const journal = state.journal.map((j) => {
    expect(j.detail, `${j.command}: a short record`).toBe('journal.json');
    return JSON.parse(fs.readFileSync(path.join(stateDir(home), 'backups', j.id, j.detail!), 'utf8')) as { command: string; files: unknown[] };
  });
  for (const t of targets) {
    expect(
      Object.values(ledger)
        .filter((r) => r.target === t.id)
        .map((r) => r.name)
        .sort(),
      `ledger records for ${t.id}`,
    ).toEqual([...names].sort());
  }
  expect(journal.map((j) => j.command).sort()).toEqual(names.map((n) => `mcp add ${n}`).sort());
  for (const j of journal) expect(j.files).toHaveLength(targets.length);
  expect(Object.keys(servers).sort()).toEqual([...names].sort());
  // No lock, no temp file left behind.
  const left = walk(home).filter((p) => p.endsWith('.lock') || /\.mcpwire-\d+-[0-9a-f]+\.tmp$/.test(p));
  expect(left).toEqual([]);
  return orders;
}

// ---------------------------------------------------------------------------------------------

beforeAll(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-concurrency-')));
  BIN = snapshotCli(root);
});
afterAll(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('concurrency: 8 processes add 8 entries to the same file at the same moment', () => {
  for (const t of TARGETS) {
    it(`${t.id}: ${t.rel}, ${ROUNDS} rounds`, async () => {
      const log: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const { home, cwd } = freshHome([t]);
        const t0 = performance.now();
        const results = await race(
          home,
          cwd,
          names.map((_, i) => addArgs(t.id, i)),
        );
        const ms = performance.now() - t0;
        const orders = checkAfterRace(home, [t], results);
        log.push(`round ${round + 1}: ${ms.toFixed(0)} ms; order ${orders.join('; ')}`);
      }
      console.log(`${t.id}:\n  ${log.join('\n  ')}`);
    }, 90_000);
  }

  it('all three files at once: every process writes ~/.claude.json, config.toml and mcp.json', async () => {
    const log: string[] = [];
    for (let round = 0; round < 2; round++) {
      const { home, cwd } = freshHome(TARGETS);
      const t0 = performance.now();
      const results = await race(
        home,
        cwd,
        names.map((_, i) => addArgs(TARGETS.map((t) => t.id).join(','), i)),
      );
      const ms = performance.now() - t0;
      const orders = checkAfterRace(home, TARGETS, results);
      log.push(`round ${round + 1}: ${ms.toFixed(0)} ms; ${orders.join('; ')}`);
    }
    console.log(`all three:\n  ${log.join('\n  ')}`);
  }, 90_000);
});

describe("Claude Code's lock ~/.claude.json.lock", () => {
  const claude = TARGETS[0];

  it('a fresh lock makes mcpwire wait; it writes once the lock is released', async () => {
    const { home, cwd } = freshHome([claude]);
    const file = path.join(home, '.claude.json');
    const lock = file + '.lock';
    fs.mkdirSync(lock); // as Claude Code (proper-lockfile) holds it: an empty folder with a fresh mtime
    const p = run(home, cwd, addArgs('claude-code', 0));
    let exited = false;
    void p.done.then(() => (exited = true));
    // Hold it for 2.5 s, refreshing the mtime like proper-lockfile does.
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const now = new Date();
      fs.utimesSync(lock, now, now);
      expect(exited, 'mcpwire must wait while the lock is held').toBe(false);
      expect(fs.readFileSync(file, 'utf8')).toBe(claude.seed);
    }
    const released = performance.now();
    fs.rmdirSync(lock);
    const r = await p.done;
    const after = performance.now() - released;
    expect(r.code, r.stderr).toBe(0);
    expect(claude.entries(JSON.parse(fs.readFileSync(file, 'utf8'))).e1).toEqual(claude.expected(1));
    expect(fs.existsSync(lock), 'mcpwire releases the lock it took').toBe(false);
    console.log(`held lock: mcpwire waited ${(r.ms / 1000).toFixed(1)} s in all, finished ${after.toFixed(0)} ms after the release`);
    expect(after).toBeLessThan(5_000);
  }, 30_000);

  it('a stale lock (mtime older than 10 s) is taken over', async () => {
    const { home, cwd } = freshHome([claude]);
    const file = path.join(home, '.claude.json');
    const lock = file + '.lock';
    fs.mkdirSync(lock);
    const past = new Date(Date.now() - 30_000);
    fs.utimesSync(lock, past, past);
    const r = await run(home, cwd, addArgs('claude-code', 0)).done;
    expect(r.code, r.stderr).toBe(0);
    expect(claude.entries(JSON.parse(fs.readFileSync(file, 'utf8'))).e1).toEqual(claude.expected(1));
    expect(fs.existsSync(lock)).toBe(false);
    // Taken over at once, not after waiting for the 20 s timeout or another 10 s.
    expect(r.ms).toBeLessThan(8_000);
    console.log(`stale lock: taken over, the add took ${r.ms.toFixed(0)} ms`);
  }, 30_000);
});

/**
 * Regression: when 8 processes found the same STALE lock at once, two of them could both "take it
 * over" — the second one's rmdir removed the lock the first one had just created — and both edited
 * the file: one entry was lost although its process said "added" (1 round in 15 to 1 in 60 on a
 * 2-CPU machine, before the lock identified holders by inode and unique mtime and re-checked before
 * removal and before the rename). The invariant: never a silent loss (a process may fail, as long as
 * it says so and its entry is really absent). MCPWIRE_TEST_STALE_RACE=N runs more rounds (default 12).
 */
describe('stale lock found by 8 processes at once', () => {
  const claude = TARGETS[0];
  it('no entry is lost silently', async () => {
    const rounds = Number(process.env.MCPWIRE_TEST_STALE_RACE) || 12;
    const silent: string[] = [];
    let refused = 0;
    for (let round = 0; round < rounds; round++) {
      const seed = { ...claude, seed: JSON.stringify({ mcpServers: { github: { type: 'http', url: 'https://api.githubcopilot.com/mcp/' } } }, null, 2) };
      const { home, cwd } = freshHome([seed]);
      const lock = path.join(home, '.claude.json.lock');
      fs.mkdirSync(lock);
      const past = new Date(Date.now() - 30_000);
      fs.utimesSync(lock, past, past);
      const results = await race(
        home,
        cwd,
        names.map((_, i) => addArgs('claude-code', i)),
      );
      const entries = claude.entries(JSON.parse(fs.readFileSync(path.join(home, '.claude.json'), 'utf8')));
      results.forEach((r, i) => {
        if (r.code === 0 && !entries[`e${i + 1}`]) silent.push(`round ${round + 1}: e${i + 1}`);
        if (r.code !== 0) {
          refused++;
          expect(entries[`e${i + 1}`], 'a process that failed must not have written').toBeUndefined();
        }
      });
    }
    console.log(`stale-lock race: ${rounds} rounds, ${silent.length} entries lost silently, ${refused} processes refused`);
    expect(silent, 'entries reported "added" but missing from the file').toEqual([]);
  }, 600_000);
});

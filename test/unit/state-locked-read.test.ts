/**
 * The journal of a write command is built from the state as read under mcpwire's state lock. A look-up
 * the command made after taking that lock (the add's ledger look-up) is that same read, so the journal
 * takes it over instead of reading and parsing state.json again; a look-up made before the lock is read
 * again, and its parse serves only when the text is the same.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { acquireLock } from '../../src/files/lock.js';
import { fsyncAll } from '../../src/files/io.js';
import type { Fs } from '../../src/platform.js';
import { State } from '../../src/state.js';
import { fakePlatform } from '../fake-platform.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function setup() {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-state-'));
  dirs.push(home);
  const reads: string[] = [];
  const countingFs = new Proxy(fs, {
    get(target, k: string) {
      const v = (target as unknown as Record<string, unknown>)[k];
      if (k === 'readFileSync') return (f: string, ...rest: unknown[]) => (reads.push(String(f)), (v as (...a: unknown[]) => unknown)(f, ...rest));
      return v;
    },
  }) as unknown as Fs;
  const p = fakePlatform({ os: 'linux', home, fs: countingFs, pid: process.pid });
  const state = new State(p);
  const dir = path.join(home, '.config', 'mcpwire');
  const file = path.join(dir, 'state.json');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ servers: { a: { name: 'a', url: 'https://a/' } }, ledger: {}, journal: [] }));
  const stateReads = () => reads.filter((f) => f === file).length;
  const lock = () => acquireLock(p, path.join(dir, 'state.lock'), { ownerDir: dir });
  const journal = async (l: ReturnType<typeof lock>) => {
    const session = state.openJournal(l);
    const temps = session.prepare((s) => (s.servers.b = { name: 'b', url: 'https://b/', addedAt: '' }));
    await fsyncAll(p, temps);
    session.commit();
    session.release();
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { servers: Record<string, unknown> };
  };
  return { file, state, stateReads, lock, journal };
}

test('a look-up made under the state lock is the read the journal builds on (state.json read once)', async () => {
  const t = setup();
  const l = t.lock();
  expect(Object.keys(t.state.cached('servers'))).toEqual(['a']);
  const written = await t.journal(l);
  l.release();
  expect(Object.keys(written.servers)).toEqual(['a', 'b']);
  expect(t.stateReads()).toBe(1);
});

test('a look-up made before the lock is not: the journal reads the state again under the lock', async () => {
  const t = setup();
  const before = t.state.cached('servers');
  expect(Object.keys(before)).toEqual(['a']);
  // Another process records a server between this look-up and the lock.
  const other = JSON.parse(fs.readFileSync(t.file, 'utf8'));
  other.servers.c = { name: 'c', url: 'https://c/' };
  fs.writeFileSync(t.file, JSON.stringify(other));
  const l = t.lock();
  const written = await t.journal(l);
  l.release();
  expect(Object.keys(written.servers).sort()).toEqual(['a', 'b', 'c']);
  expect(t.stateReads()).toBe(2);
  expect(Object.keys(before)).toEqual(['a']);
});

test('a look-up made before the lock, of a state nobody changed since: read again under the lock, not parsed again', async () => {
  const t = setup();
  const before = t.state.cached('servers');
  const l = t.lock();
  const written = await t.journal(l);
  l.release();
  expect(Object.keys(written.servers)).toEqual(['a', 'b']);
  expect(t.stateReads()).toBe(2);
  // The journal built on that first parse (it holds the server the journal added); had the text
  // changed, it would have built on a parse of its own (the test above: the first look-up's object
  // is left as it was).
  expect(Object.keys(before)).toEqual(['a', 'b']);
});

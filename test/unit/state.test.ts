import { describe, expect, test } from 'vitest';
import { entriesToPrune, ledgerKey, ledgerKeyParts, type JournalEntry } from '../../src/state.js';

const MiB = 1024 * 1024;
const entry = (id: string, backupMiB: number): JournalEntry => ({
  id,
  at: '',
  command: 'mcp add x',
  files: [{ file: 'f', realFile: 'f', backup: 'b', beforeHash: null, afterHash: null, backupSize: backupMiB * MiB }],
  ledgerBefore: {},
});

describe('backups are bounded by count and by size', () => {
  test('the last 20 commands are kept when they are small', () => {
    expect(entriesToPrune(Array.from({ length: 25 }, (_, i) => entry(`t${i}`, 1)))).toBe(5);
    expect(entriesToPrune(Array.from({ length: 20 }, (_, i) => entry(`t${i}`, 1)))).toBe(0);
  });
  test('backups of a 25 MB ~/.claude.json stop at 256 MiB, oldest first', () => {
    const journal = Array.from({ length: 20 }, (_, i) => entry(`t${i}`, 25));
    const drop = entriesToPrune(journal);
    expect(drop).toBe(10); // 10 × 25 MiB = 250 MiB stay
    expect(journal.slice(drop).reduce((n, j) => n + (j.files[0].backupSize ?? 0), 0)).toBeLessThanOrEqual(256 * MiB);
  });
  test('the newest command is always kept, whatever its size (undo must work)', () => {
    expect(entriesToPrune([entry('old', 1), entry('huge', 400)])).toBe(1);
    expect(entriesToPrune([entry('huge', 400)])).toBe(0);
  });
});

describe('ledger keys', () => {
  test('need no escape in JSON, whatever the path holds, and read back exactly (either form)', () => {
    for (const file of [
      '/home/me/.claude.json',
      'C:\\Users\\me\\.claude.json',
      '/tmp/a "quoted" dir/x.json',
      '/tmp/50% off/ü 日本/🚀.json',
      '/tmp/tab\there/x.json',
    ]) {
      const key = ledgerKey(file, ['projects', '/work/p q', 'mcpServers'], 'pelcro');
      expect(JSON.stringify(key)).toBe(`"${key}"`); // nothing escaped
      expect(ledgerKeyParts(key)).toEqual([file, 'projects', '/work/p q', 'mcpServers', 'pelcro']);
      expect(ledgerKeyParts(JSON.stringify([file, 'mcpServers', 'pelcro']))).toEqual([file, 'mcpServers', 'pelcro']);
    }
    expect(ledgerKey('/a', ['mcpServers'], 'x')).toBe('%2Fa mcpServers x');
    for (const bad of ['', 'a b', '[1,2,3]', '["a"]', '%E0%A4%A mcpServers x']) expect(ledgerKeyParts(bad)).toBeUndefined();
  });
});

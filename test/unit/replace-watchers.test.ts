/**
 * A client that watches its config file (fs.watch on the file: an inotify watch of its inode on Linux)
 * must see mcpwire's write as what it is, the file replaced, as with any atomic save: the old file goes
 * away ('rename'), and the watcher knows to watch the path again. A backup kept as a second name of the
 * old file (a hard link: measured faster, tried in the tenth pass) would keep the old file alive, and
 * the watcher would get a 'change' only and stay on the backup, blind to every later change. So the
 * backup is a file of its own, holding the bytes read.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { runTransaction, type JournalHooks } from '../../src/files/transaction.js';
import { currentPlatform } from '../../src/platform.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const BEFORE = '{ "mcpServers": {} }\n';
const AFTER = '{ "mcpServers": { "pelcro": { "url": "https://mcp.pelcro.com/" } } }\n';

test.skipIf(process.platform !== 'linux')(
  "a watcher of the file sees it replaced ('rename'), and the backup is a file of its own with the bytes read, 0600",
  async () => {
    const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-watch-')));
    dirs.push(dir);
    const file = path.join(dir, 'mcp.json');
    fs.writeFileSync(file, BEFORE, { mode: 0o644 });
    const before = fs.statSync(file);
    const events: string[] = [];
    const watcher = fs.watch(file, (event) => events.push(event));
    try {
      const journal: JournalHooks = { prepare: () => [], commit: () => {}, amend: () => {}, release: () => {} };
      const backupDir = path.join(dir, 'state', 'backups', 'one');
      const r = await runTransaction(
        { platform: currentPlatform(), stateDir: path.join(dir, 'state'), backupDir, dryRun: false },
        [{ file, backupName: 'cursor-user-mcp.json', edit: () => ({ text: AFTER, secret: false }) }],
        journal,
      );
      expect(r.changed).toHaveLength(1);
      // The events are queued by then; give the loop up to 2 s to deliver them (a loaded machine).
      for (let waited = 0; !events.includes('rename') && waited < 2000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(events).toContain('rename');
      const backup = path.join(backupDir, 'cursor-user-mcp.json');
      expect(fs.statSync(backup).ino).not.toBe(before.ino);
      expect(fs.readFileSync(backup, 'utf8')).toBe(BEFORE);
      expect(fs.statSync(backup).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(file, 'utf8')).toBe(AFTER);
    } finally {
      watcher.close();
    }
  },
);

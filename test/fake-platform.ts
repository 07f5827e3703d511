/** A platform for tests: the given OS's path rules, env and fs (memfs or a real scratch folder). */
import nodeFs from 'node:fs';
import os from 'node:os';
import nodePath from 'node:path';
import type { Fs, OS, Platform } from '../src/platform.js';

export function fakePlatform(o: Partial<Platform> & { os: OS; home: string; fs: Fs }): Platform {
  const path = o.os === 'win32' ? nodePath.win32 : nodePath.posix;
  return {
    env: {},
    cwd: o.home,
    path,
    now: () => Date.now(),
    execPath: o.os === 'win32' ? 'C:\\Program Files\\nodejs\\node.exe' : '/usr/local/bin/node',
    launcher:
      o.os === 'win32' ? 'C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\mcpwire\\bin\\mcpwire.js' : '/usr/local/lib/node_modules/mcpwire/bin/mcpwire.js',
    pid: 4242,
    ...o,
  };
}

/**
 * A real scratch HOME (a temp folder with a git project in it) behind a Linux platform, for commands
 * run in-process: the platform and helpers to read and write files under that HOME.
 */
export function scratchHomePlatform(prefix: string, env: Record<string, string> = {}) {
  const home = nodeFs.realpathSync(nodeFs.mkdtempSync(nodePath.join(os.tmpdir(), prefix)));
  const cwd = nodePath.join(home, 'project');
  nodeFs.mkdirSync(nodePath.join(cwd, '.git'), { recursive: true });
  const platform = fakePlatform({
    os: 'linux',
    home,
    cwd,
    fs: nodeFs as unknown as Fs,
    env: { HOME: home, PATH: '', ...env },
    pid: process.pid,
    launcher: '/opt/mcpwire/bin/mcpwire.js',
    execPath: '/usr/bin/node',
  });
  const file = (rel: string) => nodePath.join(home, rel);
  return {
    home,
    cwd,
    platform,
    file,
    /** Write a file under HOME (folders made as needed); its absolute path. */
    write(rel: string, text: string): string {
      nodeFs.mkdirSync(nodePath.dirname(file(rel)), { recursive: true });
      nodeFs.writeFileSync(file(rel), text);
      return file(rel);
    },
    read: (rel: string) => nodeFs.readFileSync(file(rel), 'utf8'),
    exists: (rel: string) => nodeFs.existsSync(file(rel)),
  };
}

/** A platform for tests: the given OS's path rules, env and fs (memfs or a real scratch folder). */
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

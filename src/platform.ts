/**
 * Everything that differs between machines comes in through Platform: OS, environment, home, cwd,
 * file system, clock. Commands and targets never read process.* directly, so tests swap all of it
 * (an injected win32/darwin platform for path tests, memfs for unit tests, a scratch HOME for
 * integration tests).
 */
import { UserError } from './errors.js';

// The modules themselves, not a default import: a bundle turns `import x from 'node:fs'` into a copy of
// every export behind a getter (~130 properties of node:fs and node:path: 0.5 ms of each command's start).
const nodeFs = process.getBuiltinModule('node:fs');
const nodePath = process.getBuiltinModule('node:path');

export type OS = 'linux' | 'darwin' | 'win32';

/** The synchronous fs calls mcpwire uses (node:fs and memfs both fit). */
export type Fs = Pick<
  typeof nodeFs,
  | 'readFileSync'
  | 'writeFileSync'
  | 'existsSync'
  | 'statSync'
  | 'lstatSync'
  | 'mkdirSync'
  | 'renameSync'
  | 'unlinkSync'
  | 'rmdirSync'
  | 'rmSync'
  | 'openSync'
  | 'closeSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'chmodSync'
  | 'chownSync'
  | 'realpathSync'
  | 'readdirSync'
  | 'utimesSync'
  | 'copyFileSync'
>;

export interface Platform {
  os: OS;
  env: Record<string, string | undefined>;
  home: string;
  cwd: string;
  fs: Fs;
  path: import('node:path').PlatformPath;
  now(): number;
  /** Absolute path of the Node binary running mcpwire (GUI clients do not see the shell's PATH). */
  execPath: string;
  /** Absolute path of the mcpwire launcher script (bin/mcpwire.js), for stdio bridge entries. */
  launcher: string;
  pid: number;
}

export function currentPlatform(launcher = process.argv[1] ?? ''): Platform {
  const p = process.platform;
  return {
    os: p === 'win32' ? 'win32' : p === 'darwin' ? 'darwin' : 'linux',
    env: process.env,
    home: homeDir(p),
    cwd: process.cwd(),
    fs: nodeFs,
    path: nodePath,
    now: () => Date.now(),
    execPath: process.execPath,
    launcher,
    pid: process.pid,
  };
}

/**
 * The user's home folder, absolute. An empty or relative HOME (`HOME= mcpwire …`, a broken service
 * environment) would turn every client path into one relative to the current folder: mcpwire then
 * asks the system's user database instead, and refuses to run without an absolute home.
 */
function homeDir(p: NodeJS.Platform): string {
  // node:os only when HOME does not do (loading it costs a command ~0.7 ms).
  const os = () => process.getBuiltinModule('node:os');
  const candidates: Array<() => string | undefined> = [
    () => (p !== 'win32' ? process.env.HOME : undefined),
    () => os().homedir(),
    () => os().userInfo().homedir,
  ];
  for (const candidate of candidates) {
    let h: string | undefined;
    try {
      h = candidate();
    } catch {
      continue;
    }
    if (h && nodePath.isAbsolute(h)) return h;
  }
  throw new UserError('Cannot tell your home folder: HOME is empty or not an absolute path, and the system has no home folder for this user.', {
    fix: 'Set HOME to your home folder (an absolute path), then run the command again.',
  });
}

export function envOr(platform: Platform, name: string): string | undefined {
  const v = platform.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** XDG config home (Linux/macOS CLIs) — `$XDG_CONFIG_HOME` or `~/.config`. */
export function xdgConfigHome(platform: Platform): string {
  return envOr(platform, 'XDG_CONFIG_HOME') ?? platform.path.join(platform.home, '.config');
}

/** Windows `%APPDATA%` (Roaming) and `%LOCALAPPDATA%`, with the usual defaults. */
export function appData(platform: Platform): string {
  return envOr(platform, 'APPDATA') ?? platform.path.join(platform.home, 'AppData', 'Roaming');
}
export function localAppData(platform: Platform): string {
  return envOr(platform, 'LOCALAPPDATA') ?? platform.path.join(platform.home, 'AppData', 'Local');
}

/** Is `bin` an executable on PATH? (Detection only; nothing is run.) */
export function onPath(platform: Platform, bin: string): boolean {
  const pathVar = platform.env.PATH ?? platform.env.Path ?? '';
  const sep = platform.os === 'win32' ? ';' : ':';
  const exts = platform.os === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const dir of pathVar.split(sep)) {
    if (!dir) continue;
    for (const ext of exts) {
      if (platform.fs.existsSync(platform.path.join(dir, bin + ext))) return true;
    }
  }
  return false;
}

/**
 * Does `dir` show that a client ran here: does it hold anything besides `own`, the files mcpwire writes
 * into it (and their temp files and locks)? A folder mcpwire created for its own file is no sign.
 */
export function folderInUse(platform: Platform, dir: string, own: readonly string[]): boolean {
  let names: string[];
  try {
    names = platform.fs.readdirSync(dir) as string[];
  } catch {
    return false;
  }
  return names.some((n) => !own.some((f) => n === f || n.startsWith(f + '.') || n.startsWith('.' + f + '.')));
}

/**
 * The folder an Electron app keeps its data in (created when the app first runs), or its install
 * folder: `~/.config/Name`, `~/Library/Application Support/Name` or `/Applications/Name.app`,
 * `%APPDATA%\\Name` or `%LOCALAPPDATA%\\Programs\\installDir`.
 */
export function appInstalled(platform: Platform, name: string, installDir: string): boolean {
  const { fs, path } = platform;
  if (platform.os === 'darwin')
    return fs.existsSync(path.join(platform.home, 'Library', 'Application Support', name)) || fs.existsSync(`/Applications/${name}.app`);
  if (platform.os === 'win32')
    return fs.existsSync(path.join(appData(platform), name)) || fs.existsSync(path.join(localAppData(platform), 'Programs', installDir));
  return fs.existsSync(path.join(xdgConfigHome(platform), name));
}

/** The project root for project/local scopes: the nearest folder with `.git`, else cwd. */
export function projectRoot(platform: Platform): string {
  let dir = platform.cwd;
  for (;;) {
    if (platform.fs.existsSync(platform.path.join(dir, '.git'))) return dir;
    const parent = platform.path.dirname(dir);
    if (parent === dir) return platform.cwd;
    dir = parent;
  }
}

/** mcpwire's own state dir (servers it knows, what it wrote where, backups). */
export function stateDir(platform: Platform): string {
  const explicit = envOr(platform, 'MCPWIRE_CONFIG_DIR');
  if (explicit) return explicit;
  if (platform.os === 'win32') return platform.path.join(appData(platform), 'mcpwire');
  return platform.path.join(xdgConfigHome(platform), 'mcpwire');
}

/**
 * `new Date(ms).toISOString()`, without its cost: the first toISOString of a process takes ~0.8 ms
 * (measured on Node 20), as much as the rest of a command's clock work. Years outside 0000-9999 go
 * to toISOString (it writes them with a sign).
 */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (!(y >= 0 && y <= 9999)) return d.toISOString();
  const two = (n: number) => (n < 10 ? '0' : '') + n;
  const ms3 = d.getUTCMilliseconds();
  return `${String(y).padStart(4, '0')}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}.${ms3 < 10 ? '00' : ms3 < 100 ? '0' : ''}${ms3}Z`;
}

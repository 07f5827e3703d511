/**
 * Claude Desktop: stdio entries only. A remote server is reached through the stdio bridge
 * `mcpwire proxy NAME`, written with absolute paths because GUI apps do not see the shell's PATH.
 *
 * No secret ever goes into `args` (a command line is visible to every process on the machine, in `ps`
 * and in crash reports). The bridge reads its secrets from the entry's `env` instead:
 *   MCPWIRE_HEADER_<n>   (n = 1, 2, …) a literal header, "Name: value", for each `--header`
 *   MCPWIRE_URL          the server URL, when its query carries a credential (`?token=…`); otherwise
 *                        the URL is the `--url` argument
 * `--header-env "K=VAR"` stays a reference in `args` (`--header-env K=VAR`): only the variable's name.
 * `mcpwire proxy` reads these variables (and, better still, a credential from the keychain).
 */
import { appData, folderInUse, localAppData, xdgConfigHome, type Platform } from '../platform.js';
import { COMMON_TRANSPORT_KEYS, compact, holdsLiteralSecret, isObject, readCommonEntry } from './common.js';
import type { Target, TargetContext } from './types.js';

const MSIX_PACKAGE = 'Claude_pzs8sxrjxfjjc';

function configDir(ctx: TargetContext): string {
  const p = ctx.platform;
  if (p.os === 'darwin') return p.path.join(p.home, 'Library', 'Application Support', 'Claude');
  if (p.os === 'win32') {
    // The Microsoft Store (MSIX) build reads a virtualised copy; writing %APPDATA% silently does nothing there.
    const msixPackage = p.path.join(localAppData(p), 'Packages', MSIX_PACKAGE);
    if (p.fs.existsSync(msixPackage)) return p.path.join(msixPackage, 'LocalCache', 'Roaming', 'Claude');
    return p.path.join(appData(p), 'Claude');
  }
  return p.path.join(xdgConfigHome(p), 'Claude');
}

export const claudeDesktop: Target = {
  id: 'claude-desktop',
  name: 'Claude Desktop',
  scopes: ['user'],
  format: 'json',
  detect(ctx) {
    // The app fills its folder (logs, caches, config.json); mcpwire may have created it for the config file.
    const p = ctx.platform;
    if (folderInUse(p, configDir(ctx), ['claude_desktop_config.json'])) return true;
    if (p.os === 'darwin') return p.fs.existsSync('/Applications/Claude.app');
    if (p.os === 'win32')
      return p.fs.existsSync(p.path.join(localAppData(p), 'Packages', MSIX_PACKAGE)) || p.fs.existsSync(p.path.join(localAppData(p), 'AnthropicClaude'));
    return false;
  },
  file: (_scope, ctx) => ctx.platform.path.join(configDir(ctx), 'claude_desktop_config.json'),
  container: () => ['mcpServers'],
  render(spec, ctx) {
    const p = ctx.platform;
    const warnings: string[] = [];
    const bridgeArgs = spec.secretInUrl ? ['proxy', spec.name] : ['proxy', spec.name, '--url', spec.url];
    const env: Record<string, string> = {};
    if (spec.secretInUrl) env.MCPWIRE_URL = spec.url;
    spec.headers.forEach((h, i) => (env[`MCPWIRE_HEADER_${i + 1}`] = `${h.name}: ${h.value}`));
    for (const h of spec.headerEnvs) bridgeArgs.push('--header-env', `${h.name}=${h.variable}`);
    if (spec.headerEnvs.length > 0) {
      warnings.push(
        `Claude Desktop does not see your shell's environment: ${spec.headerEnvs.map((h) => '$' + h.variable).join(', ')} must be set for the app itself, or log in with \`mcpwire auth login\` so the bridge uses the keychain.`,
      );
    }
    let command: string;
    let args: string[];
    const cached = /[\\/]_npx[\\/]/.test(p.launcher);
    const version = cached ? runningVersion(p) : undefined;
    if (cached && !version) {
      command = p.execPath;
      args = [p.launcher, ...bridgeArgs];
      warnings.push(
        'mcpwire runs from the npx cache, which npm deletes, and its version could not be read: install mcpwire (`npm i -g mcpwire`) and run this again.',
      );
    } else if (version) {
      // npm deletes its npx cache at will: the entry must not point into it. This exact version through
      // npx instead (never @latest: what runs must not change under the user), started by absolute paths.
      const pinned = `mcpwire@${version}`;
      const npx = findNpx(p);
      if (npx?.cli) [command, args] = [p.execPath, [npx.cli, '-y', pinned, ...bridgeArgs]];
      else if (npx && p.os === 'win32' && /\.(cmd|bat)$/i.test(npx.shim)) [command, args] = ['cmd', ['/c', npx.shim, '-y', pinned, ...bridgeArgs]];
      else [command, args] = [npx?.shim ?? 'npx', ['-y', pinned, ...bridgeArgs]];
      warnings.push(
        `mcpwire runs from the npx cache, which npm deletes: Claude Desktop will start \`npx -y ${pinned}\` (this exact version, fetched once). ` +
          'For a start that needs no network, install mcpwire (`npm i -g mcpwire`) and run this again.',
      );
      if (!npx)
        warnings.push(
          'npx was found neither next to node nor on PATH: the entry names plain `npx`, which Claude Desktop may not find; install mcpwire instead.',
        );
    } else if (p.os === 'win32' && /\.(cmd|bat)$/i.test(p.launcher)) {
      // A .cmd shim cannot be spawned directly by a GUI app on Windows: go through cmd.
      command = 'cmd';
      args = ['/c', p.launcher, ...bridgeArgs];
    } else {
      command = p.execPath;
      args = [p.launcher, ...bridgeArgs];
    }
    const value = compact({ command, args, env: Object.keys(env).length ? env : undefined });
    return { value, literalSecret: holdsLiteralSecret(spec), warnings };
  },
  read(name, raw) {
    const e = readCommonEntry(name, raw);
    if (e.kind === 'bridge' && e.url === undefined && isObject(raw) && isObject(raw.env) && typeof raw.env.MCPWIRE_URL === 'string')
      e.url = raw.env.MCPWIRE_URL;
    if (e.kind === 'remote' && isObject(raw) && raw.command === undefined) {
      e.problems.push('Claude Desktop ignores url entries (stdio only): replace it with `mcpwire mcp add --target claude-desktop`');
    }
    return e;
  },
  transportKeys: COMMON_TRANSPORT_KEYS,
  doctor: { gui: true },
};

/**
 * The version of the mcpwire that is running, from the package.json of the launcher's own package
 * (`…/node_modules/mcpwire/bin/mcpwire.js`). Not src/version.ts: importing it here would put all of
 * package.json into every bundle that holds the targets, the proxy's included.
 */
function runningVersion(p: Platform): string | undefined {
  try {
    const pkg = JSON.parse(String(p.fs.readFileSync(p.path.join(p.path.dirname(p.path.dirname(p.launcher)), 'package.json'), 'utf8'))) as {
      name?: unknown;
      version?: unknown;
    };
    return pkg.name === 'mcpwire' && typeof pkg.version === 'string' && /^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(pkg.version) ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * npx by absolute path, for an entry started with a minimal PATH. Best: npm's `npx-cli.js`, run by
 * the absolute node (the `npx` script itself starts with `#!/usr/bin/env node`, which fails when node
 * is not in /usr/bin); else the `npx` (or `npx.cmd`) found on this PATH or next to node.
 */
function findNpx(p: Platform): { cli?: string; shim: string } | undefined {
  const exists = (f: string) => {
    try {
      return p.fs.existsSync(f);
    } catch {
      return false;
    }
  };
  const nodeDir = p.path.dirname(p.execPath);
  const names = p.os === 'win32' ? ['npx.cmd', 'npx.exe', 'npx'] : ['npx'];
  const dirs = [nodeDir, ...(p.env.PATH ?? p.env.Path ?? '').split(p.os === 'win32' ? ';' : ':').filter((d) => p.path.isAbsolute(d))];
  const shim = dirs.flatMap((d) => names.map((n) => p.path.join(d, n))).find(exists);
  const candidates =
    p.os === 'win32'
      ? [p.path.join(nodeDir, 'node_modules', 'npm', 'bin', 'npx-cli.js')]
      : [p.path.join(nodeDir, '..', 'lib', 'node_modules', 'npm', 'bin', 'npx-cli.js')];
  if (shim && p.os !== 'win32') {
    // /usr/local/bin/npx is usually a link to npm's bin/npx-cli.js.
    try {
      const real = p.fs.realpathSync(shim);
      if (/npx-cli\.js$/.test(real)) candidates.unshift(real);
    } catch {
      /* not resolvable: the other candidates */
    }
  }
  const cli = candidates.map((c) => p.path.normalize(c)).find(exists);
  return cli || shim ? { cli, shim: shim ?? 'npx' } : undefined;
}

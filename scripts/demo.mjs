// `npm run demo`: mcpwire from nothing to every client wired, offline. A local MCP server behind a real
// OAuth authorization server on 127.0.0.1 (scripts/demo-server.mjs), `mcpwire setup` against it in a
// throwaway HOME (the sign-in through the consent page, in headless Chromium when one is installed,
// else a stand-in that submits the same form), then the entry Claude Desktop would start, started and
// asked a question, then doctor. The servers stop and the throwaway HOME is deleted at the end
// (--keep keeps it); your own HOME, config files and keychain are never touched.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { startDemoServer } from './demo-server.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'mcpwire.js');
const keep = process.argv.includes('--keep');
const colour = process.stdout.isTTY && !process.env.NO_COLOR;
const title = (s) => console.log(`\n${colour ? '\u001b[1;36m' : ''}== ${s}${colour ? '\u001b[0m' : ''}`);

if (!fs.existsSync(path.join(ROOT, 'dist', 'setup.cjs')))
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });

/** A Chromium to sign in with (MCPWIRE_DEMO_BROWSER=standin: never). */
function findChromium() {
  if (process.env.MCPWIRE_DEMO_BROWSER === 'standin') return undefined;
  if (process.env.MCPWIRE_DEMO_CHROMIUM) return process.env.MCPWIRE_DEMO_CHROMIUM;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter))
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) if (dir && fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mcpwire-demo-')));
const project = path.join(home, 'project');
fs.mkdirSync(path.join(project, '.git'), { recursive: true });
const chromium = findChromium();

/**
 * mcpwire splits BROWSER on spaces (the gh and webbrowser convention): the demo's browser is a small
 * launcher script in the throwaway HOME, so a space in node's path or in this clone's path cannot break it.
 */
function browserLauncher() {
  const script = path.join(ROOT, 'scripts', 'demo-browser.mjs');
  const bin = path.join(home, 'bin');
  fs.mkdirSync(bin);
  if (process.platform === 'win32') {
    const f = path.join(bin, 'demo-browser.cmd');
    fs.writeFileSync(f, `@"${process.execPath}" "${script}" %*\r\n`);
    return f;
  }
  const f = path.join(bin, 'demo-browser');
  const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
  fs.writeFileSync(f, `#!/bin/sh\nexec ${q(process.execPath)} ${q(script)} "$@"\n`, { mode: 0o755 });
  return f;
}
// Built from nothing, so no variable of yours (XDG_CONFIG_HOME, CODEX_HOME, CLAUDE_CONFIG_DIR, …) leads outside it.
const env = {
  HOME: home,
  USERPROFILE: home,
  APPDATA: path.join(home, 'AppData', 'Roaming'),
  LOCALAPPDATA: path.join(home, 'AppData', 'Local'),
  PATH: process.env.PATH ?? '',
  ...(process.env.SYSTEMROOT ? { SYSTEMROOT: process.env.SYSTEMROOT } : {}),
  TERM: process.env.TERM ?? 'dumb',
  ...(colour ? {} : { NO_COLOR: '1' }),
  // The credentials go to a file in the throwaway HOME, never to your keychain.
  MCPWIRE_CREDENTIAL_STORE: 'file',
  BROWSER: browserLauncher(),
  ...(chromium ? { MCPWIRE_DEMO_CHROMIUM: chromium } : {}),
};

/** mcpwire, its output on this terminal (not spawnSync: the demo server answers from this process meanwhile). */
function mcpwire(args, { quiet = false } = {}) {
  console.log(`$ mcpwire ${args.join(' ')}`);
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [BIN, ...args], { cwd: project, env, stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'] });
    let out = '';
    c.stdout?.on('data', (d) => (out += d));
    c.stderr?.on('data', (d) => (out += d));
    c.on('close', (code) => resolve({ code, out }));
  });
}

const server = await startDemoServer();
let failed = false;
try {
  title(`A demo MCP server behind OAuth on ${server.base} (throwaway HOME ${home})`);
  console.log(`Signing in with ${chromium ? `headless Chromium (${chromium})` : 'a browser stand-in that submits the consent page'}.`);

  title('mcpwire setup: log in, wire every client, check');
  // Generous time limits: the demo also runs on busy machines (and in CI, beside the other tests).
  const setup = await mcpwire(['setup', server.url, '--name', 'demo', '--target', 'all', '--yes', '--browser-timeout', '60', '--timeout', '30']);
  if (setup.code !== 0) throw new Error(`mcpwire setup exited with ${setup.code}`);

  title('What the clients now have');
  await mcpwire(['mcp', 'list']);

  title("Claude Desktop's entry, started as Claude Desktop starts it, asked a question");
  const config = JSON.parse(fs.readFileSync(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), 'utf8'));
  const entry = config.mcpServers.demo;
  console.log(`${entry.command} ${entry.args.join(' ')}`);
  const client = new Client({ name: 'mcpwire-demo', version: '1.0.0' });
  await client.connect(new StdioClientTransport({ command: entry.command, args: entry.args, env: { ...env, ...entry.env }, cwd: '/', stderr: 'pipe' }));
  const tools = await client.listTools();
  const answer = await client.callTool({ name: 'hello', arguments: {} });
  await client.close();
  console.log(`tools: ${tools.tools.map((t) => t.name).join(', ')}`);
  console.log(`hello → ${answer.content[0].text}`);

  title('mcpwire doctor');
  const doctor = await mcpwire(['doctor', 'demo', '--timeout', '30'], { quiet: true });
  process.stdout.write(doctor.out);
  if (doctor.code !== 0) failed = true;
} catch (e) {
  failed = true;
  console.error(`demo failed: ${e.message}`);
} finally {
  await server.close();
  if (keep) console.log(`\nThe throwaway HOME is kept: ${home}`);
  else fs.rmSync(home, { recursive: true, force: true });
}
title(failed ? 'The demo failed (see above).' : 'Done. Your own HOME, config files and keychain were not touched.');
console.log('Next: npm test');
process.exitCode = failed ? 1 : 0;

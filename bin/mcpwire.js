#!/usr/bin/env node
'use strict';
// Launcher: starts the bundled CLI (dist/cli.cjs), loading each bundle with V8's code cache so a
// command starts nearly as fast as Node itself. The cache is kept here, on every Node: written when the
// command is done, it holds every function the command ran. (Node 22+'s own compile cache is written
// when a module is compiled, before it runs: it held the module's top level only, and an `mcp add` on
// Node 24 compiled the rest on every run: 1.68x against 1.57x of `node -e 0`, A/B 60 rounds.) It lives
// beside the bundles (or in the user's cache folder when dist/ is read-only), never in a shared
// temporary folder: cached code must be as private as the code itself, since whoever can write it
// decides what runs.
const [major] = process.versions.node.split('.').map(Number);

// A command lives for a fraction of a second. V8's optimizing compiler (TurboFan) spends more CPU
// compiling, on threads that compete with the command's own on a small machine, than its code saves
// before the process exits. Without it, on Node 20 (scripts/bench-ab.mjs, 30 rounds, realistic HOME):
// `mcp add --target all` 153 -> 130 ms of CPU, 0.20x of `node -e 0` sooner; `setup` 181 -> 154 ms,
// 0.15x sooner. So a command runs on the interpreter and the baseline compiler (--no-turbofan; Node
// 20 has no Maglev), set through Node 20's own binding (~0.3 ms), its deprecation warning held back:
// nothing is printed. Not on Node 22+, where that binding is gone and node:v8 loads all of node:stream
// first (3-5 ms; measured on Node 24, the gain was gone). Not for the bridge (`proxy`), which lives as
// long as its client.
// V8 refuses a code cache made under other flags. Ours are made and checked under the flags of their
// own kind of command (the cache key says which). Node's cache of its built-in modules was made under
// the default flags, so a built-in is loaded with those back for the moment (without that, `auth
// status`, which loads node:http, node:crypto and more, took 17 ms longer; with it, within 4 ms).
let setFlags;
if (major === 20 && !process.argv.slice(2).includes('proxy')) {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  try {
    const binding = process.binding('v8');
    binding.setFlagsFromString('--no-turbofan');
    setFlags = (flags) => binding.setFlagsFromString(flags);
  } catch {
    // Without the binding (a permission model, a future release) the command runs as it is.
  } finally {
    process.noDeprecation = quiet;
  }
}
const tuned = setFlags !== undefined;
/** Run `load` (which may load built-in modules) under V8's default flags (only ever called when tuned). */
function withDefaultFlags(load) {
  setFlags('--turbofan');
  try {
    return load();
  } finally {
    setFlags('--no-turbofan');
  }
}
/** The require the bundles get: each module's first load under the default flags (and require's own resolve, cache, main). */
const required = new Set();
const bundleRequire = !tuned
  ? require
  : Object.assign((id) => {
      if (required.has(id)) return require(id);
      required.add(id);
      return withDefaultFlags(() => require(id));
    }, require);
if (tuned && typeof process.getBuiltinModule === 'function') {
  const getBuiltinModule = process.getBuiltinModule;
  process.getBuiltinModule = (id) => withDefaultFlags(() => getBuiltinModule(id));
}

const fs = require('node:fs');
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist');
// The bundles are wrapped here, and take this file's require (bin/ and dist/ are siblings: the same
// node_modules); node:module (~0.7 ms to load) is not needed.

// Caches live beside the bundles; where dist/ is read-only (a system-wide install), in the user's
// cache folder. Looked up without touching the disk beyond one read; created only when written. The
// user's folder is worked out only when the first place fails, and from HOME (node:os costs ~0.7 ms to
// load, on every run of a system-wide install).
function* cacheRoots() {
  yield path.join(dist, '.v8-cache');
  const home =
    process.env.XDG_CACHE_HOME ||
    (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) ||
    // HOME when it is an absolute path (what os.homedir() returns then), without loading node:os.
    path.join(process.platform !== 'win32' && path.isAbsolute(process.env.HOME ?? '') ? process.env.HOME : bundleRequire('node:os').homedir(), '.cache');
  yield path.join(home, 'mcpwire', 'v8-cache');
}
const cacheKey = `${process.version}-${process.arch}${tuned ? '-no-turbofan' : ''}`;
function* cacheDirs() {
  for (const root of cacheRoots()) yield path.join(root, cacheKey);
}

// A cache holds the functions of the run that wrote it: `mcp list` runs a third of what `mcp add`
// runs, and an add on a cache written by a list compiled the rest on every run (+0.09x of `node -e 0`,
// measured A/B). The bundles of commands with subcommands keep a cache per subcommand.
const [command, sub] = process.argv.slice(2);
const variantOf = (name) => ((name === 'mcp' || name === 'auth') && /^[a-z]+$/.test(sub ?? '') ? sub : '');
// An add or remove for one client runs part of what one for several runs (its cache ranks below, RANKS).
const oneTarget = (() => {
  if (command !== 'mcp' || (sub !== 'add' && sub !== 'remove')) return false;
  const args = process.argv.slice(4);
  const i = args.findIndex((a) => a === '--target' || a === '-t' || a.startsWith('--target='));
  const value = i === -1 ? undefined : args[i].startsWith('--target=') ? args[i].slice(9) : args[i + 1];
  return value !== undefined && /^[a-z-]+$/.test(value) && value !== 'all' && value !== 'detected';
})();

// How scripts/build.mjs wraps a bundle (the same three strings there).
const BUNDLE_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const BUNDLE_TAIL = '\n})';
const BUNDLE_CALL = '.call(this, exports, require, module, __filename, __dirname);\n';

const pending = [];
const loaded = new Map();
function load(name) {
  if (!loaded.has(name)) loaded.set(name, loadBundle(name));
  return loaded.get(name);
}
function loadBundle(name) {
  const file = path.join(dist, name + '.cjs');
  const source = fs.readFileSync(file, 'utf8');
  const stamp = fs.statSync(file);
  const build = `${name}-${stamp.size}-${Math.floor(stamp.mtimeMs)}`;
  const variant = variantOf(name);
  const cacheName = `${build}${variant ? '.' + variant : ''}.cache`;
  let cachedData;
  let rank = -1; // of the cache loaded (RANKS), the best there is
  for (const dir of cacheDirs()) {
    for (rank = RANKS.length - 1; rank >= 0; rank--) {
      try {
        cachedData = fs.readFileSync(path.join(dir, rankedName(cacheName, rank)));
        break;
      } catch {}
    }
    if (cachedData !== undefined) break;
  }
  const vm = bundleRequire('node:vm');
  // A bundle is `(function (…) {…}).call(…)` (scripts/build.mjs): compiled without its last line, it is
  // the function itself, and a slice of a string is no copy of it. (Another text is wrapped here.)
  const code =
    source.startsWith(BUNDLE_HEAD) && source.endsWith(BUNDLE_TAIL + BUNDLE_CALL)
      ? source.slice(0, -BUNDLE_CALL.length)
      : `${BUNDLE_HEAD} ${source}${BUNDLE_TAIL}`;
  const script = new vm.Script(code, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) rank = -1;
  // V8 is done with the cache's bytes (deserialized, or refused): free them now (Node 22+), not at a
  // collection that an idle bridge may not run for hours (its RSS: +0.4 MB on Node 24). Only a buffer
  // of its own (a small file's bytes share Node's pool with other buffers).
  if (cachedData !== undefined && cachedData.byteLength === cachedData.buffer.byteLength) cachedData.buffer.transfer?.(0);
  const mod = { exports: {}, filename: file, id: file, loaded: false, paths: module.paths };
  script.runInThisContext().call(mod.exports, mod.exports, bundleRequire, mod, file, dist);
  if (rank < RANKS.length - 1) pending.push({ script, cacheName, build, rank });
  return mod.exports;
}

// A cache holds what ran before the command ended: a first `mcp add` refused for a mistyped URL made a
// cache of the argument checks, and every add after it compiled the rest on every run (+0.10x of
// `node -e 0`, measured A/B). So a cache is ranked by the run that wrote it, and a run that covers more
// replaces it (a cache keeps every function it was loaded with: the new one holds both): a failed run,
// then an add or remove for one client (one format, where one for several runs three: +0.035x), then
// any other run that succeeds.
const RANKS = ['partial', 'one', ''];
function rankedName(cacheName, rank) {
  return RANKS[rank] ? cacheName.replace(/\.cache$/, `.${RANKS[rank]}.cache`) : cacheName;
}

// Write new caches when the command is done (they then include the functions it ran).
process.once('exit', (code) => {
  const ran = code !== 0 ? 0 : oneTarget ? 1 : 2;
  for (const { script, cacheName, build, rank } of pending) {
    if (ran <= rank) continue;
    const data = script.createCachedData();
    for (const dir of cacheDirs()) {
      try {
        fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
        const name = rankedName(cacheName, ran);
        const tmp = path.join(dir, `${name}.${process.pid}.tmp`);
        fs.writeFileSync(tmp, data, { mode: 0o600 });
        fs.renameSync(tmp, path.join(dir, name));
        for (let lower = 0; lower < ran; lower++)
          try {
            fs.unlinkSync(path.join(dir, rankedName(cacheName, lower)));
          } catch {}
        // Caches of earlier builds of this bundle (any subcommand's) are dead weight now.
        const prefix = build.slice(0, build.indexOf('-') + 1);
        for (const old of fs.readdirSync(dir)) if (old.startsWith(prefix) && !old.startsWith(build + '.')) fs.rmSync(path.join(dir, old), { force: true });
        break;
      } catch {}
    }
  }
});

// `mcp add|remove|list` and `setup`, the commonest commands, read their arguments without the CLI
// bundle (commander and every command's definition: 4-5 ms); anything the shortcut does not read
// exactly as commander would (help, an unknown option, …) goes through commander
// (src/commands/fast-args.ts).
const shortcut =
  command === 'mcp' && (sub === 'add' || sub === 'remove' || sub === 'list')
    ? (load('mcp').fastMain?.(process.argv) ?? null)
    : command === 'setup'
      ? (load('setup').fastMain?.(process.argv, load) ?? null)
      : null;
(shortcut ?? load('cli').main(process.argv, { load })).then((code) => {
  process.exitCode = code;
  // The command is done and its output written (synchronously). Left alone, Node would now wait for
  // V8's background compile jobs before exiting: 3-4 ms after an `mcp add`, measured. When nothing
  // else is pending (no stream, socket, timer or child; only the record of a finished fsync), exit now.
  if (process.getActiveResourcesInfo().every((r) => r === 'FSReqCallback')) process.exit(code);
});

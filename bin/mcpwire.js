#!/usr/bin/env node
'use strict';
// Launcher: starts the bundled CLI (dist/cli.cjs), loading each bundle with V8's code cache so a
// command starts nearly as fast as Node itself. Node 22+ has its own compile cache; on Node 20 the
// cache is kept by hand, beside the bundles (or in the user's cache folder when dist/ is read-only),
// never in a shared temporary folder: cached code must be as private as the code itself.
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');

const dist = path.join(__dirname, '..', 'dist');
const useOwnCache = typeof Module.enableCompileCache !== 'function';
if (!useOwnCache) Module.enableCompileCache();

function cacheDir() {
  const key = `${process.version}-${process.arch}`;
  const beside = path.join(dist, '.v8-cache', key);
  try {
    fs.mkdirSync(beside, { recursive: true });
    fs.accessSync(beside, fs.constants.W_OK);
    return beside;
  } catch {
    const home = process.env.XDG_CACHE_HOME || (process.platform === 'win32' ? process.env.LOCALAPPDATA : undefined) || path.join(require('node:os').homedir(), '.cache');
    return path.join(home, 'mcpwire', 'v8-cache', key);
  }
}

const pending = [];
function load(name) {
  const file = path.join(dist, name + '.cjs');
  if (!useOwnCache) return require(file);
  const source = fs.readFileSync(file, 'utf8');
  const dir = cacheDir();
  const stamp = fs.statSync(file);
  const cacheFile = path.join(dir, `${name}-${stamp.size}-${Math.floor(stamp.mtimeMs)}.cache`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {}
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = { exports: {}, filename: file, id: file, loaded: false, paths: Module._nodeModulePaths(dist) };
  const req = Module.createRequire(file);
  script.runInThisContext().call(mod.exports, mod.exports, req, mod, file, dist);
  if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, dir, cacheFile });
  return mod.exports;
}

// Write new caches when the command is done (they then include the functions it ran).
process.once('exit', () => {
  for (const { script, dir, cacheFile } of pending) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 });
      fs.renameSync(tmp, cacheFile);
    } catch {}
  }
});

load('cli').main(process.argv, load);

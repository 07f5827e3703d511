// Bundles src/ into dist/: one CommonJS file for the program (commander + command definitions) and
// one per command, loaded only when that command runs. CommonJS, because on Node 20 (no compile
// cache) the launcher loads these through V8's code cache (bin/mcpwire.js), and the ESM loader alone
// would cost as much as our code.
import { build } from 'esbuild';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// The bundle table is src/bundles.ts, which the CLI reads too: compiled here and imported from memory.
async function bundleTable() {
  const out = await build({ entryPoints: ['src/bundles.ts'], write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  const { BUNDLES } = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].contents).toString('base64'));
  return Object.fromEntries(Object.entries(BUNDLES).map(([name, b]) => [name, b.entry]));
}

// commander requires child_process at load time (for executable subcommands, which mcpwire does not
// use); that pulls in net and stream. Load it only if it is ever touched.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      a.importer.includes(`${path.sep}commander${path.sep}`) ? { path: 'child_process', namespace: 'lazy' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; module.exports = new Proxy({}, { get: (_, k) => (m ??= require('node:child_process'))[k] });",
      loader: 'js',
    }));
  },
};

// jsonc-parser builds 1,200 indentation strings when it loads (~1.5 ms of every command that edits a
// JSONC file), for its formatter, which mcpwire never calls: marked free of side effects, that module
// is left out of the bundle with the formatter.
const jsoncFormatterTables = {
  name: 'jsonc-formatter-tables',
  setup(b) {
    b.onResolve({ filter: /^\.\/string-intern(\.js)?$/ }, (a) =>
      a.importer.includes(`${path.sep}jsonc-parser${path.sep}`)
        ? { path: path.join(path.dirname(a.importer), 'string-intern.js'), sideEffects: false }
        : undefined,
    );
  },
};

// @inquirer/prompts re-exports every prompt, the editor one too (iconv-lite and chardet: half a MB in
// setup's bundle); setup asks with five of them. The prompt packages marked free of side effects, the
// ones it never calls are left out.
const inquirerUnusedPrompts = {
  name: 'inquirer-unused-prompts',
  setup(b) {
    b.onResolve({ filter: /^@inquirer\/(checkbox|confirm|editor|expand|input|number|password|rawlist|search|select)$/ }, async (a) => {
      if (a.pluginData === 'inner') return undefined;
      const r = await b.resolve(a.path, { kind: a.kind, importer: a.importer, resolveDir: a.resolveDir, pluginData: 'inner' });
      return { ...r, sideEffects: false };
    });
  },
};

// The bridge's SDK bundle takes the transport from @modelcontextprotocol/client's index, which also
// carries the SDK's Client and, through the package's Node shims, its default JSON Schema validator
// (Ajv: 150 KB, built when the module loads). The bridge never makes a Client: its shims here give a
// validator that says so if one ever is. And pkce-challenge (for sign-in, which the bridge never does)
// reads `globalThis.crypto` as it loads, which sets up all of Web Crypto (~2 MB of RSS): here it reads
// it when first asked for random bytes.
const sdkForTheBridge = {
  name: 'sdk-for-the-bridge',
  setup(b) {
    b.onResolve({ filter: /^@modelcontextprotocol\/client\/_shims$/ }, () => ({ path: 'shims', namespace: 'bridge' }));
    b.onLoad({ filter: /^shims$/, namespace: 'bridge' }, () => ({
      contents: `export const CORS_IS_POSSIBLE = false;
export class DefaultJsonSchemaValidator {
  constructor() { throw new Error('mcpwire: the bridge bundle (dist/mcpsdk.cjs) has no JSON Schema validator: pass one to the SDK Client.'); }
}`,
      loader: 'js',
    }));
    b.onLoad({ filter: /[\\/]pkce-challenge[\\/]dist[\\/]index\.node\.js$/ }, async (a) => {
      const { readFile } = await import('node:fs/promises');
      const src = await readFile(a.path, 'utf8');
      const eager = /let crypto;\s*crypto =\s*globalThis\.crypto\?\.webcrypto \?\?[^;]*;/;
      if (!eager.test(src)) throw new Error(`pkce-challenge changed: ${a.path} no longer starts as expected; review the sdk-for-the-bridge plugin`);
      const lazy = 'const crypto = { then: (f, r) => Promise.resolve(globalThis.crypto?.webcrypto ?? globalThis.crypto).then(f, r) };';
      return { contents: src.replace(eager, lazy), loader: 'js' };
    });
  },
};

// src/version.ts reads the version from package.json: the bundles get that field alone, not the whole
// file (its dependency lists, scripts, …) in every bundle.
const versionOnly = {
  name: 'version-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]package\.json$/ }, async (a) => {
      if (path.resolve(a.path) !== path.resolve('package.json')) return undefined;
      const { readFile } = await import('node:fs/promises');
      return { contents: JSON.stringify({ version: JSON.parse(await readFile(a.path, 'utf8')).version }), loader: 'json' };
    });
  },
};

const table = await bundleTable();
const { mcpsdk, ...commands } = table;
const options = {
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  mainFields: ['module', 'main'], // jsonc-parser's main is UMD with dynamic requires; its ESM build bundles cleanly
  target: 'node20.19',
  minify: process.env.MCPWIRE_NO_MINIFY !== '1',
  legalComments: 'linked',
  // Native and optional modules stay outside the bundle and load lazily.
  external: ['@napi-rs/keyring'],
  plugins: [lazyChildProcess, jsoncFormatterTables, inquirerUnusedPrompts, versionOnly],
  logLevel: 'warning',
  // src/auth/store/keychain.ts uses import.meta.url only when it runs as an ES module (tests); the bundle has require.
  logOverride: { 'empty-import-meta': 'silent' },
  metafile: true,
};
const results = await Promise.all([
  // lib: mcpwire as a library (createCli for vendors' branded CLIs), package.json's main; not a command bundle.
  build({ ...options, entryPoints: { ...commands, lib: 'src/lib.ts' } }),
  // The bridge's SDK bundle: its `Headers` is the bridge's own (src/proxy/http-headers.ts), as the global
  // is undici's and the first touch of it loads all of Node's fetch (~12 MB), which the bridge does not use.
  build({ ...options, entryPoints: { mcpsdk }, inject: ['src/proxy/inject-headers.ts'], plugins: [...options.plugins, sdkForTheBridge] }),
]);

// A command bundle is a function expression called at once: as a module (`require`, lib.cjs's
// commands) it runs as any CommonJS file; the launcher compiles the text without its last line (the
// function itself, a slice of the text read: no copy) and calls it with the bundle's require and module.
// Wrapped by the launcher at each run, as before, V8 copied the whole text into a new string first,
// the bundle's size in fresh memory: `new vm.Script` for the add's 127 KB bundle with its cache 2.90
// -> 2.43 ms (medians of 12 runs each, alternated); `auth status` (537 KB) 2.444x -> 2.381x of `node
// -e 0` (60 rounds alternated). bin/mcpwire.js holds the same three strings.
const BUNDLE_HEAD = '(function (exports, require, module, __filename, __dirname) {';
const BUNDLE_TAIL = '\n})';
const BUNDLE_CALL = '.call(this, exports, require, module, __filename, __dirname);\n';
for (const name of Object.keys(table)) {
  const file = path.join('dist', `${name}.cjs`);
  const text = readFileSync(file, 'utf8');
  if (text.startsWith(BUNDLE_HEAD)) throw new Error(`${file} is wrapped already: esbuild wrote it before this step, not after`);
  writeFileSync(`${file}.tmp`, BUNDLE_HEAD + text + BUNDLE_TAIL + BUNDLE_CALL);
  renameSync(`${file}.tmp`, file);
}

// Files are replaced in place (never a moment without dist/); then anything stale is pruned.
const keep = new Set(results.flatMap((r) => Object.keys(r.metafile.outputs)).map((f) => path.resolve(f)));
for (const f of readdirSync('dist', { withFileTypes: true })) {
  const full = path.resolve('dist', f.name);
  if (f.name === '.v8-cache') continue;
  if (!keep.has(full) && !keep.has(full.replace(/\.LEGAL\.txt$/, ''))) rmSync(full, { recursive: true, force: true });
}

// Bundles src/ into dist/ (ESM, code-split so each command loads only what it needs).
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Files are replaced in place (never a moment without dist/), then stale chunks are pruned.
const result = await build({
  entryPoints: { cli: 'src/cli.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  mainFields: ['module', 'main'], // jsonc-parser's main is UMD with dynamic requires; its ESM build bundles cleanly
  target: 'node20.19',
  minify: true,
  legalComments: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { 'process.env.MCPWIRE_VERSION': JSON.stringify(pkg.version) },
  // Native and optional modules stay outside the bundle and load lazily.
  external: ['@napi-rs/keyring'],
  // commander (CommonJS) requires node built-ins: give the ESM bundle a require.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});
const keep = new Set(Object.keys(result.metafile.outputs).map((f) => path.resolve(f)));
for (const dir of ['dist', 'dist/chunks']) {
  for (const f of readdirSync(dir)) {
    const full = path.resolve(dir, f);
    if (f !== 'chunks' && !keep.has(full) && !keep.has(full.replace(/\.LEGAL\.txt$/, ''))) rmSync(full, { force: true });
  }
}

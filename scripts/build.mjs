// Bundles src/ into dist/ (ESM, code-split so each command loads only what it needs).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
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
});

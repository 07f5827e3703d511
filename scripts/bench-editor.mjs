// Micro-benchmark of the format editor on a strict-JSON ~/.claude.json (`node scripts/bench-editor.mjs`):
// mcpwire's add (parse → entries → set, every check) against a plain JSON.parse + insert + JSON.stringify
// (+ re-parse for the small file, + write for the 25 MiB one). Time: median of runs; memory: peak RSS of a
// child process doing one operation. Pure in-process work: durability is measured by `npm run bench`.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'mcpwire-bench-editor-'));
const entry = join(dir, 'entry.ts');
writeFileSync(
  entry,
  `
export { addToText } from ${JSON.stringify(new URL('../src/entries.ts', import.meta.url).pathname)};
export { TARGETS } from ${JSON.stringify(new URL('../src/targets/index.ts', import.meta.url).pathname)};
`,
);
const lib = join(dir, 'lib.mjs');
await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'node',
  format: 'esm',
  mainFields: ['module', 'main'],
  outfile: lib,
  logLevel: 'error',
  external: ['@napi-rs/keyring'],
});

/** A ~/.claude.json shaped like Claude Code's own: settings, caches, projects with prompt history. */
function claudeJson(projects, history) {
  const doc = {
    numStartups: 412,
    installMethod: 'global',
    autoUpdates: true,
    theme: 'dark',
    verbose: false,
    hasCompletedOnboarding: true,
    userID: 'f'.repeat(64),
    firstStartTime: '2025-01-02T10:00:00.000Z',
    tipsHistory: {},
    cachedStatsigGates: {},
    cachedDynamicConfigs: {},
    mcpServers: { existing: { type: 'http', url: 'https://mcp.example.com/mcp' } },
    oauthAccount: { accountUuid: 'u', emailAddress: 'a@b.c' },
    projects: {},
  };
  for (let i = 0; i < 60; i++) doc.tipsHistory['tip-' + i] = i * 7;
  for (let i = 0; i < 80; i++) doc.cachedStatsigGates['gate_' + i] = i % 2 === 0;
  for (let i = 0; i < 20; i++) doc.cachedDynamicConfigs['cfg' + i] = { value: { a: i, list: [1, 2, 3], s: 'x'.repeat(40) } };
  for (let p = 0; p < projects; p++) {
    const h = [];
    for (let k = 0; k < history; k++)
      h.push({
        display: `please refactor module ${k} of project ${p}: "quoted" text, \\ backslash, ünïcödé ${'lorem ipsum '.repeat(4)}`,
        pastedContents: k % 5 === 0 ? { 1: { id: 1, type: 'text', content: 'line\n'.repeat(20) } } : {},
      });
    doc.projects[p === 0 ? '/root' : `/home/user/src/project-${p}`] = {
      allowedTools: ['Bash(npm test)', 'Edit'],
      history: h,
      mcpContextUris: [],
      mcpServers: {},
      enabledMcpjsonServers: [],
      disabledMcpjsonServers: [],
      hasTrustDialogAccepted: true,
      projectOnboardingSeenCount: 3,
      lastCost: 1.2345,
      lastAPIDuration: 123456,
      lastDuration: 98765,
      lastLinesAdded: 12,
      lastLinesRemoved: 3,
      lastSessionId: 'abcd-' + p,
    };
  }
  return JSON.stringify(doc, null, 2);
}

const small = claudeJson(19, 50);
const big = claudeJson(1650, 60);
writeFileSync(join(dir, 'small.json'), small);
writeFileSync(join(dir, 'big.json'), big);
console.log(`files: ${(small.length / 1024).toFixed(0)} KB, ${(big.length / 1048576).toFixed(1)} MiB`);

const worker = join(dir, 'worker.mjs');
writeFileSync(
  worker,
  `
import { addToText, TARGETS } from ${JSON.stringify(lib)};
import { readFileSync, writeFileSync } from 'node:fs';
const [mode, file, scope, runs] = process.argv.slice(2);
const t = TARGETS.find((x) => x.id === 'claude-code');
const ctx = { platform: { home: '/root', env: {}, os: 'linux' }, projectRoot: '/root' };
const container = scope === 'local' ? ['projects', '/root', 'mcpServers'] : ['mcpServers'];
const value = { type: 'http', url: 'https://mcp.pelcro.com/mcp', headers: { Authorization: 'Bearer \${PELCRO_TOKEN}' } };
const rendered = { value, literalSecret: false, warnings: [] };
const out = file + '.out';
function once() {
  const text = readFileSync(file, 'utf8');
  if (mode === 'mcpwire') {
    const r = addToText(t, text, file, container, 'pelcro', rendered, false);
    writeFileSync(out, r.text);
  } else {
    const v = JSON.parse(text);
    let c = v; for (const k of container) c = c[k] ??= {};
    c.pelcro = value;
    const s = JSON.stringify(v, null, 2);
    if (${JSON.stringify(process.argv.includes('--reparse'))} || file.endsWith('small.json')) JSON.parse(s);
    writeFileSync(out, s);
  }
}
const times = [];
for (let i = 0; i < Number(runs); i++) { const t0 = process.hrtime.bigint(); once(); times.push(Number(process.hrtime.bigint() - t0) / 1e6); }
times.sort((a, b) => a - b);
console.log(JSON.stringify({ median: times[times.length >> 1], maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
`,
);

function run(mode, file, scope, runs) {
  const r = spawnSync(process.execPath, [worker, mode, file, scope, String(runs)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
run('plain', join(dir, 'small.json'), 'user', 1); // warm the file cache
// Cold: one operation in a fresh process, as the CLI runs it (median over processes, alternating). Warm: median of
// repeated operations in one process (the JIT's best case).
for (const [label, file, procs, warmRuns] of [
  ['250 KB', 'small.json', 21, 200],
  ['25 MiB', 'big.json', 5, 5],
]) {
  for (const scope of ['user', 'local']) {
    const cold = { mcpwire: [], plain: [], mcpwireRss: [], plainRss: [] };
    for (let i = 0; i < procs; i++) {
      for (const mode of ['mcpwire', 'plain']) {
        const r = run(mode, join(dir, file), scope, 1);
        cold[mode].push(r.median);
        cold[mode + 'Rss'].push(r.maxRssMiB);
      }
    }
    const wm = run('mcpwire', join(dir, file), scope, warmRuns).median;
    const wp = run('plain', join(dir, file), scope, warmRuns).median;
    const [m, p, mr, pr] = [median(cold.mcpwire), median(cold.plain), median(cold.mcpwireRss), median(cold.plainRss)];
    console.log(
      `${label} ${scope.padEnd(5)} cold: mcpwire ${m.toFixed(1)} ms, plain ${p.toFixed(1)} ms (×${(m / p).toFixed(2)}); peak RSS ${mr.toFixed(0)} / ${pr.toFixed(0)} MiB (×${(mr / pr).toFixed(2)}) | warm: ${wm.toFixed(2)} / ${wp.toFixed(2)} ms (×${(wm / wp).toFixed(2)})`,
    );
  }
}
rmSync(dir, { recursive: true, force: true });

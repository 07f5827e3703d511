/**
 * `mcpwire targets`: every supported client, whether it is installed here (its program, its app, or its
 * own files in its config folder: not a folder mcpwire created), and its file per scope.
 */
import { TARGETS } from '../targets/index.js';
import { printable, tildify } from '../ui.js';
import type { Context } from './context.js';

export function targetsCommand(ctx: Context, o: { json?: boolean }): number {
  const rows = TARGETS.map((t) => ({
    id: t.id,
    name: t.name,
    detected: t.detect(ctx.targets),
    format: t.format,
    files: Object.fromEntries(t.scopes.map((s) => [s, t.file(s, ctx.targets)])),
    ...(t.scopes.includes('local') ? { containers: { local: t.container('local', ctx.targets) } } : {}),
  }));
  if (o.json) {
    ctx.io.json({ targets: rows });
    return 0;
  }
  const { io } = ctx;
  const w = Math.max(...rows.map((r) => r.id.length));
  for (const r of rows) {
    const mark = r.detected ? io.style.ok('✔ detected    ') : io.style.dim('· not detected');
    io.out(`${r.id.padEnd(w)}  ${mark}  ${r.name}`);
    for (const [scope, file] of Object.entries(r.files)) {
      // Paths come from the environment (HOME, XDG_CONFIG_HOME, the project folder): shown with control characters escaped.
      const where = printable(scope === 'local' ? `${tildify(ctx.platform, file)} → projects["${ctx.targets.projectRoot}"]` : tildify(ctx.platform, file));
      io.out(`${''.padEnd(w)}    ${scope.padEnd(7)}  ${io.style.dim(where)}`);
    }
  }
  return 0;
}

export { runCommand } from './run.js';

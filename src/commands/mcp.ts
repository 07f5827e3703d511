/** `mcpwire mcp add|remove|list`. Parse → call services → render; no fs here beyond the services. */
import { UserError } from '../errors.js';
import { addToText, removeFromText } from '../entries.js';
import { duplicateEntries, entriesIn, parseDocument } from '../edit/document.js';
import { readText, resolveReal } from '../files/io.js';
import { buildSpec, findPreset, nameFromUrl, parseUrl, presetUrl, validateName } from '../servers.js';
import { ledgerKey, type KnownServer, type StateFiles } from '../state.js';
import type { ReadEntry, Scope, ServerSpec, Target } from '../targets/types.js';
import { tildify } from '../ui.js';
import { parseScope, resolveTargets, type Context } from './context.js';
import { renderReports, runWrites, type PlannedWrite, type WriteNote, type WriteReport } from './write.js';
import type { EditOutcome } from '../files/transaction.js';

export interface AddOptions {
  target?: string;
  name?: string;
  url?: string;
  account?: string;
  scope?: string;
  header?: string[];
  headerEnv?: string[];
  env?: string;
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
}

/** Which targets take this scope; an explicit target that cannot is bad usage, `all` skips it. */
function targetsForScope(targets: Target[], scope: Scope, explicit: boolean): Target[] {
  const ok = targets.filter((t) => t.scopes.includes(scope));
  const missing = targets.filter((t) => !t.scopes.includes(scope));
  if (explicit && missing.length > 0) {
    throw new UserError(`${missing.map((t) => t.name).join(', ')} ${missing.length > 1 ? 'have' : 'has'} no ${scope} scope.`, {
      fix: `Use --scope ${missing[0].scopes.join(' or --scope ')} for ${missing[0].id}.`,
    });
  }
  return ok;
}

/** The server to write: from --url / SERVER (preset or URL) / what setup or auth login recorded. */
export function resolveServer(ctx: Context, o: { server?: string; url?: string; name?: string; account?: string; env?: string; header?: string[]; headerEnv?: string[] }): ServerSpec {
  let url = o.url;
  let name = o.name;
  let headers = o.header ?? [];
  let headerEnvs = o.headerEnv ?? [];
  if (!url && o.server) {
    const preset = findPreset(o.server);
    if (preset) {
      url = presetUrl(preset, o.env);
      name ??= preset.name;
    } else if (/^https?:\/\//i.test(o.server)) url = o.server;
    else name ??= o.server;
  }
  if (!url) {
    const known = ctx.state.read('servers');
    const names = Object.keys(known);
    const rec: KnownServer | undefined = name ? known[name] ?? (o.account ? known[`${name}-${o.account}`] : undefined) : names.length === 1 ? known[names[0]] : undefined;
    if (!rec) {
      throw new UserError(name ? `No server named "${name}" is known to mcpwire.` : 'Which server? No --url was given and mcpwire knows no single server.', {
        fix: 'Pass --url https://… (or a preset: ' + ['pelcro', 'peel'].join(', ') + ').',
      });
    }
    url = rec.url;
    name ??= rec.name;
    if (headerEnvs.length === 0 && headers.length === 0 && rec.headerEnvs) headerEnvs = rec.headerEnvs.map((h) => `${h.name}=${h.variable}`);
  }
  name ??= nameFromUrl(parseUrl(url));
  if (o.account) name = `${name}-${validateName(o.account)}`;
  return buildSpec({ name, url, headers, headerEnvs });
}

interface EntryPlace {
  file: string;
  container: string[];
  /** The ledger key of the entry (what mcpwire wrote there, and how to give the bytes back). */
  key: string;
}

/** One planned write per target: the file and servers container of the scope, the client's own lock, the ledger key. */
function plansFor(ctx: Context, targets: Target[], scope: Scope, name: string, edit: (t: Target, at: EntryPlace, current: string | null, note: WriteNote) => EditOutcome): PlannedWrite[] {
  return targets.map((t) => {
    const file = t.file(scope, ctx.targets);
    const container = t.container(scope, ctx.targets);
    return {
      target: t.id,
      scope,
      file,
      sharedLock: t.sharedLock?.(file),
      privateFile: t.privateFile,
      edit: (current, note) => edit(t, { file, container, key: ledgerKey(resolveReal(ctx.platform, file), container, name) }, current, note),
    };
  });
}

export async function mcpAdd(ctx: Context, server: string | undefined, o: AddOptions): Promise<number> {
  const targets = resolveTargets(o.target, true);
  const scope = parseScope(o.scope);
  const spec = resolveServer(ctx, { server, ...o });
  const chosen = targetsForScope(targets, scope, o.target !== 'all');
  const plans = plansFor(ctx, chosen, scope, spec.name, (t, { file, container, key }, current, note) => {
    const rendered = t.render(spec, ctx.targets);
    const r = addToText(t, current, file, container, spec.name, rendered, Boolean(o.force));
    note.action = r.action;
    if (r.action !== 'unchanged') note.warnings.push(...rendered.warnings);
    if (rendered.literalSecret && r.action !== 'unchanged') {
      note.warnings.push(`${tildify(ctx.platform, file)} now holds a literal secret header (file mode set to 0600). Prefer --header-env "Header=VARIABLE".`);
    }
    const scopeNote = r.action === 'added' ? t.scopeNote?.(scope) : undefined;
    if (scopeNote) note.warnings.push(scopeNote);
    if (r.action === 'added' || r.action === 'updated') {
      const prev = ctx.state.cached('ledger')[key];
      note.ledger[key] = {
        target: t.id,
        scope,
        name: spec.name,
        hint: r.action === 'added' ? r.hint : prev?.hint ?? {},
        inputsHint: r.inputsHint ?? prev?.inputsHint,
        createdFile: r.action === 'added' ? current === null || prev?.createdFile : prev?.createdFile,
        at: new Date(ctx.platform.now()).toISOString(),
      };
    }
    return { text: r.text, secret: rendered.literalSecret };
  });
  // The server is recorded (name → URL, header names) in the same state update as the journal.
  const rememberServer = {
    wanted: (reports: WriteReport[]) => reports.some((r) => r.action === 'added' || r.action === 'updated' || r.action === 'unchanged'),
    apply(s: StateFiles) {
      s.servers[spec.name] = {
        name: spec.name,
        url: spec.url,
        headers: spec.headers.length ? spec.headers.map((h) => h.name) : undefined,
        headerEnvs: spec.headerEnvs.length ? spec.headerEnvs : undefined,
        addedAt: s.servers[spec.name]?.addedAt ?? new Date(ctx.platform.now()).toISOString(),
      };
    },
  };
  const reports = await runWrites(ctx, `mcp add ${spec.name}`, plans, Boolean(o.dryRun), rememberServer);
  return renderReports(ctx, reports, { json: Boolean(o.json), dryRun: Boolean(o.dryRun) });
}

export interface RemoveOptions {
  target?: string;
  name?: string;
  account?: string;
  scope?: string;
  dryRun?: boolean;
  json?: boolean;
}

export async function mcpRemove(ctx: Context, server: string | undefined, o: RemoveOptions): Promise<number> {
  const targets = resolveTargets(o.target, true);
  const scope = parseScope(o.scope);
  let name = o.name ?? server;
  if (!name) throw new UserError('Which entry? --name is required.', { fix: 'Pass --name NAME (see `mcpwire mcp list`).' });
  if (o.account) name = `${name}-${o.account}`;
  validateName(name);
  const chosen = targetsForScope(targets, scope, o.target !== 'all');
  const entryName = name;
  const plans = plansFor(ctx, chosen, scope, entryName, (t, { file, container, key }, current, note) => {
    const rec = ctx.state.cached('ledger')[key];
    const r = removeFromText(t, current, file, container, entryName, rec ?? {});
    note.action = r.action;
    if (r.action === 'removed' && rec) note.ledger[key] = null;
    return { text: r.text, secret: false };
  });
  const reports = await runWrites(ctx, `mcp remove ${entryName}`, plans, Boolean(o.dryRun));
  return renderReports(ctx, reports, { json: Boolean(o.json), dryRun: Boolean(o.dryRun) });
}

export interface ListedEntry {
  target: string;
  scope: Scope;
  file: string;
  name: string;
  url?: string;
  kind: ReadEntry['kind'];
  headers?: string[];
  problems: string[];
  /** The same name in a scope the client prefers: this one is not used. */
  shadowedBy?: Scope;
}

/** Claude Code: local > project > user. Others: project > user. */
const PRECEDENCE: Record<Scope, number> = { user: 0, project: 1, local: 2 };

export function listEntries(ctx: Context, targets: Target[]): { entries: ListedEntry[]; errors: Array<{ target: string; scope: Scope; file: string; error: string }> } {
  const entries: ListedEntry[] = [];
  const errors: Array<{ target: string; scope: Scope; file: string; error: string }> = [];
  for (const t of targets) {
    const found: ListedEntry[] = [];
    const seen = new Set<string>();
    for (const scope of t.scopes) {
      const file = t.file(scope, ctx.targets);
      // In the home folder a project file can be the user file itself: read it once, as user.
      const key = file + '\0' + t.container(scope, ctx.targets).join('\0');
      if (seen.has(key)) continue;
      seen.add(key);
      let doc: Record<string, unknown>;
      let twice: string[];
      try {
        const text = readText(ctx.platform, resolveReal(ctx.platform, file));
        if (text === null) continue;
        doc = parseDocument(t.format, text, file);
        twice = duplicateEntries(t.format, text, file, t.container(scope, ctx.targets));
      } catch (e) {
        errors.push({ target: t.id, scope, file, error: e instanceof UserError ? e.message : String((e as Error).message) });
        continue;
      }
      for (const [name, raw] of Object.entries(entriesIn(doc, t.container(scope, ctx.targets)))) {
        const e = t.read(name, raw);
        if (e.kind !== 'remote' && e.kind !== 'bridge') continue;
        if (twice.includes(name)) e.problems.push(`"${name}" is defined more than once in this file: the client uses the last one`);
        found.push({ target: t.id, scope, file, name, url: e.url, kind: e.kind, headers: e.headers ? Object.keys(e.headers) : undefined, problems: e.problems });
      }
    }
    for (const e of found) {
      const winner = found.filter((o) => o.name === e.name && PRECEDENCE[o.scope] > PRECEDENCE[e.scope]).sort((a, b) => PRECEDENCE[b.scope] - PRECEDENCE[a.scope])[0];
      if (winner) e.shadowedBy = winner.scope;
    }
    entries.push(...found);
  }
  return { entries, errors };
}

export function mcpList(ctx: Context, o: { target?: string; json?: boolean }): number {
  const { entries, errors } = listEntries(ctx, resolveTargets(o.target, false));
  const { io } = ctx;
  if (o.json) {
    io.json({ entries, errors });
    return errors.length ? 1 : 0;
  }
  if (entries.length === 0 && errors.length === 0) io.out('No remote MCP servers in any supported client. Add one: mcpwire mcp add --target all --url https://…');
  const w = (k: keyof ListedEntry) => Math.max(...entries.map((e) => String(e[k] ?? '').length), 4);
  for (const e of entries) {
    const flags = [
      e.kind === 'bridge' ? 'via stdio bridge' : '',
      e.shadowedBy ? io.style.warn(`shadowed by the ${e.shadowedBy} entry`) : '',
      ...e.problems.map((p) => io.style.bad(p)),
    ].filter(Boolean);
    io.out(`${e.target.padEnd(w('target'))}  ${e.scope.padEnd(7)}  ${e.name.padEnd(w('name'))}  ${(e.url ?? '?').padEnd(w('url'))}  ${io.style.dim(tildify(ctx.platform, e.file))}${flags.length ? '  ' + flags.join('; ') : ''}`);
  }
  for (const e of errors) io.err(`${io.style.bad('unreadable:')} ${e.error}`);
  return errors.length ? 1 : 0;
}

export { runCommand } from './run.js';

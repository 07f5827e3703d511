/** `mcpwire mcp add|remove|list`. Parse → call services → render; no fs here beyond the services. */
import { UserError } from '../errors.js';
import { addToText, removeFromText } from '../entries.js';
import { editsBinary } from '../edit/document.js';
import { resolveReal } from '../files/io.js';
import type { EditOutcome } from '../files/transaction.js';
import { listEntries } from '../listing.js';
import { envOr, isoTime } from '../platform.js';
import { plainHttpWarning, resolveServer, showUrl, validateName } from '../servers.js';
import {
  clientRecord,
  ledgerKey,
  ledgerKeyParts,
  ledgerRecordFor,
  recordClient,
  type ClientRecord,
  type KnownServer,
  type LedgerRecord,
  type StateFiles,
} from '../state.js';
import { renderBridgeEntry } from '../setup/bridge.js';
import { TARGETS, targetById } from '../targets/index.js';
import type { Scope, ServerSpec, Target } from '../targets/types.js';
import { printable, tildify } from '../ui.js';
import { isTargetGroup, parseScope, resolveTargets, type Context } from './context.js';
import { parseFast } from './fast-args.js';
import { runCommand } from './run.js';
import { renderReports, runWrites, type PlannedWrite, type WriteNote, type WriteReport } from './write.js';

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

/** Which targets take this scope; an explicit target that cannot is bad usage, `all`/`detected` skip it. */
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

/** Where one entry lives: a file and the servers container in it (from the target, or from the ledger). */
interface EntryPlace {
  target: Target;
  scope: Scope;
  file: string;
  container: string[];
}

type PlaceEdit = (t: Target, at: EntryPlace & { key: string }, current: string | null, note: WriteNote) => EditOutcome;

/** One planned write per place: the client's own lock, and the ledger key of the entry. */
function plansFor(ctx: Context, places: EntryPlace[], name: string, edit: PlaceEdit): PlannedWrite[] {
  return places.map((at) => ({
    target: at.target.id,
    scope: at.scope,
    file: at.file,
    sharedLock: at.target.sharedLock?.(at.file),
    privateFile: at.target.privateFile,
    binary: editsBinary(at.target.format),
    edit: (current, note) => edit(at.target, { ...at, key: ledgerKey(resolveReal(ctx.platform, at.file), at.container, name) }, current, note),
  }));
}

function placesOf(ctx: Context, targets: Target[], scope: Scope): EntryPlace[] {
  return targets.map((target) => ({ target, scope, file: target.file(scope, ctx.targets), container: target.container(scope, ctx.targets) }));
}

function secretWarnings(ctx: Context, spec: ServerSpec, file: string): string[] {
  const where = printable(tildify(ctx.platform, file));
  const out: string[] = [];
  if (spec.headers.length > 0) out.push(`${where} now holds a literal secret header (file mode set to 0600). Prefer --header-env "Header=VARIABLE".`);
  if (spec.secretInUrl) {
    out.push(
      `${where} now holds the URL's "${printable(spec.secretInUrl)}" parameter, a credential (file mode set to 0600). Prefer a URL without it and --header-env "Authorization=VARIABLE", or \`mcpwire auth login\`.`,
    );
  }
  return out;
}

/**
 * `--header-env K=VAR` with VAR unset here: the entry is still right (it names the variable), but the
 * user may believe the client will see what this shell sees. It will not, for an app started from the dock.
 */
function unsetVariableWarning(ctx: Context, spec: ServerSpec): string | undefined {
  const unset = spec.headerEnvs.filter((h) => envOr(ctx.platform, h.variable) === undefined).map((h) => '$' + h.variable);
  if (unset.length === 0) return undefined;
  return (
    `${unset.join(', ')} ${unset.length > 1 ? 'are' : 'is'} not set in this shell. Each client reads ${unset.length > 1 ? 'them' : 'it'} from its own environment when it starts: ` +
    'a client started from this terminal sees what the shell exports, but a GUI app started from the dock or a menu does not read your shell profile ' +
    "(on macOS: `launchctl setenv NAME value`, then restart the app; elsewhere: your session's environment)."
  );
}

/** mcpwire's record of this server (same name and URL), as setup or an earlier add left it. */
function knownServer(ctx: Context, spec: ServerSpec): KnownServer | undefined {
  const servers = ctx.state.cached('servers');
  const rec = Object.hasOwn(servers, spec.name) ? servers[spec.name] : undefined;
  return rec?.url === spec.url ? rec : undefined;
}

export async function mcpAdd(ctx: Context, server: string | undefined, o: AddOptions): Promise<number> {
  const targets = resolveTargets(o.target, true, ctx.targets);
  const scope = parseScope(o.scope);
  const spec = resolveServer(ctx, { server, ...o });
  const chosen = targetsForScope(targets, scope, !isTargetGroup(o.target));
  const known = knownServer(ctx, spec);
  const explicitHeaders = Boolean(o.header?.length || o.headerEnv?.length);
  // Each client's mode, as setup recorded it: the bridge keeps a secret out of the files.
  const modeOf = (t: Target): ClientRecord['mode'] => {
    if (!known || explicitHeaders) return 'native';
    const rec = clientRecord(known, t.id, scope);
    if (rec) return rec.mode;
    // An API-key server without a header reference: a native entry would hold no key (dead) or the key itself.
    return known.auth === 'api-key' && spec.headerEnvs.length === 0 ? 'bridge' : 'native';
  };
  const written = new Map<string, { mode: ClientRecord['mode']; file: string }>();
  const plans = plansFor(ctx, placesOf(ctx, chosen, scope), spec.name, (t, { file, container, key }, current, note) => {
    const mode = modeOf(t);
    const rendered = mode === 'bridge' ? renderBridgeEntry(t.id, spec, ctx.targets) : t.render(spec, ctx.targets);
    const r = addToText(t, current, file, container, spec.name, rendered, Boolean(o.force), { binary: editsBinary(t.format) });
    note.action = r.action;
    if (r.action === 'added' || r.action === 'updated' || r.action === 'unchanged') written.set(t.id, { mode, file });
    if (r.action !== 'unchanged') note.warnings.push(...rendered.warnings);
    if (rendered.literalSecret && r.action !== 'unchanged') note.warnings.push(...secretWarnings(ctx, spec, file));
    const scopeNote = r.action === 'added' ? t.scopeNote?.(scope) : undefined;
    if (scopeNote) note.warnings.push(scopeNote);
    if (r.action === 'added' || r.action === 'updated')
      note.ledger[key] = ledgerRecordFor({ target: t.id, scope, name: spec.name }, r, ctx.state.cached('ledger')[key], current === null, ctx.platform.now());
    return { text: r.text, secret: rendered.literalSecret, splice: r.splice };
  });
  // The server is recorded (name → URL, header names) in the same state update as the journal.
  const rememberServer = {
    wanted: (reports: WriteReport[]) => reports.some((r) => r.action === 'added' || r.action === 'updated' || r.action === 'unchanged'),
    apply(s: StateFiles) {
      const was = Object.hasOwn(s.servers, spec.name) ? s.servers[spec.name] : undefined;
      // What setup recorded about the same server (environment, account, login, other clients' modes) stays.
      const same = was?.url === spec.url ? was : undefined;
      const clients = { ...same?.clients };
      for (const [target, w] of written) recordClient(clients, target, { mode: w.mode, scope, file: w.file });
      s.servers[spec.name] = {
        ...same,
        name: spec.name,
        url: spec.url,
        headers: spec.headers.length ? spec.headers.map((h) => h.name) : undefined,
        headerEnvs: spec.headerEnvs.length ? spec.headerEnvs : undefined,
        addedAt: was?.addedAt ?? isoTime(ctx.platform.now()),
        clients: Object.keys(clients).length ? clients : undefined,
      };
    },
  };
  const reports = await runWrites(ctx, `mcp add ${spec.name}`, plans, Boolean(o.dryRun), rememberServer, { noteNotInstalled: true });
  const code = renderReports(ctx, reports, { json: Boolean(o.json), dryRun: Boolean(o.dryRun) });
  for (const w of [plainHttpWarning(spec.url), unsetVariableWarning(ctx, spec)]) if (w) ctx.io.err(`${ctx.io.style.warn('warning:')} ${w}`);
  return code;
}

export interface RemoveOptions {
  target?: string;
  name?: string;
  account?: string;
  scope?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** Every place mcpwire's ledger says it wrote `name` (optionally in one scope). */
function ledgerPlaces(ledger: Record<string, LedgerRecord>, name: string, scope: Scope | undefined): EntryPlace[] {
  const places: EntryPlace[] = [];
  for (const [key, rec] of Object.entries(ledger)) {
    if (rec.name !== name || (scope && rec.scope !== scope)) continue;
    const target = targetById(rec.target);
    const parts = ledgerKeyParts(key);
    if (!target || !parts) continue;
    places.push({ target, scope: rec.scope as Scope, file: parts[0], container: parts.slice(1, -1) });
  }
  return places;
}

/**
 * `mcp remove NAME`: with --target, from those clients' files; without, from every file mcpwire's ledger
 * says it wrote NAME to. A name found nowhere is one line and exit 0 (what was asked holds: the entry is
 * not there); a name only in files mcpwire did not write is exit 2, naming the --target that removes it.
 */
export async function mcpRemove(ctx: Context, server: string | undefined, o: RemoveOptions): Promise<number> {
  let name = o.name ?? server;
  if (!name) throw new UserError('Which entry? --name is required.', { fix: 'Pass the entry name: mcpwire mcp remove NAME (see `mcpwire mcp list`).' });
  if (o.account) name = `${name}-${o.account}`;
  validateName(name);
  const entryName = name;
  let places: EntryPlace[];
  if (o.target) {
    const scope = parseScope(o.scope);
    places = placesOf(ctx, targetsForScope(resolveTargets(o.target, true, ctx.targets), scope, !isTargetGroup(o.target)), scope);
  } else {
    places = ledgerPlaces(ctx.state.cached('ledger'), entryName, o.scope === undefined ? undefined : parseScope(o.scope));
    if (places.length === 0) return nothingRecorded(ctx, entryName, o);
  }
  const plans = plansFor(ctx, places, entryName, (t, { file, container, key }, current, note) => {
    const rec = ctx.state.cached('ledger')[key];
    const r = removeFromText(t, current, file, container, entryName, rec ?? {}, { binary: editsBinary(t.format) });
    note.action = r.action;
    if (r.action === 'removed' && rec) note.ledger[key] = null;
    return { text: r.text, secret: false, splice: r.splice };
  });
  const reports = await runWrites(ctx, `mcp remove ${entryName}`, plans, Boolean(o.dryRun));
  if (!o.json && reports.every((r) => r.action === 'absent')) {
    ctx.io.out(
      `No entry named "${entryName}" in ${reports.length === 1 ? printable(tildify(ctx.platform, reports[0].file)) : `the ${reports.length} files checked`}; nothing changed.`,
    );
    return 0;
  }
  return renderReports(ctx, reports, { json: Boolean(o.json), dryRun: Boolean(o.dryRun) });
}

/** No ledger record of the name: say so in one line, or name the clients that have it. */
function nothingRecorded(ctx: Context, name: string, o: RemoveOptions): number {
  const elsewhere = listEntries(ctx, TARGETS).entries.filter((e) => e.name === name && (o.scope === undefined || e.scope === o.scope));
  if (elsewhere.length > 0) {
    const ids = [...new Set(elsewhere.map((e) => e.target))];
    throw new UserError(
      `mcpwire did not write "${name}" anywhere; it is in ${elsewhere.map((e) => `${printable(tildify(ctx.platform, e.file))} (${e.target}, ${e.scope})`).join(', ')}.`,
      {
        fix: `Name the clients to remove it from: mcpwire mcp remove ${name} --target ${ids.join(',')}${elsewhere.some((e) => e.scope !== 'user') ? ' --scope SCOPE' : ''}`,
      },
    );
  }
  if (o.json) ctx.io.json({ changes: [] });
  else ctx.io.out(`No entry named "${name}" in any supported client's file; nothing changed.`);
  return 0;
}

export function mcpList(ctx: Context, o: { target?: string; json?: boolean }): number {
  const { entries, errors } = listEntries(ctx, resolveTargets(o.target, false, ctx.targets));
  const { io } = ctx;
  if (o.json) {
    io.json({ entries, errors });
    return errors.length ? 1 : 0;
  }
  if (entries.length === 0 && errors.length === 0)
    io.out('No remote MCP servers in any supported client. Add one: mcpwire mcp add --target all --url https://…');
  // Names, URLs and paths come from the files: shown with control characters escaped, credentials in URLs masked.
  const rows = entries.map((e) => ({
    e,
    name: printable(e.name),
    url: e.url === undefined ? '?' : showUrl(e.url),
    file: printable(tildify(ctx.platform, e.file)),
  }));
  const w = (k: 'name' | 'url') => Math.max(...rows.map((r) => r[k].length), 4);
  const tw = Math.max(...entries.map((e) => e.target.length), 4);
  for (const { e, name, url, file } of rows) {
    const flags = [
      e.kind === 'bridge' ? 'via stdio bridge' : '',
      e.shadowedBy ? io.style.warn(`shadowed by the ${e.shadowedBy} entry`) : '',
      ...e.problems.map((p) => io.style.bad(printable(p))),
    ].filter(Boolean);
    io.out(
      `${e.target.padEnd(tw)}  ${e.scope.padEnd(7)}  ${name.padEnd(w('name'))}  ${url.padEnd(w('url'))}  ${io.style.dim(file)}${flags.length ? '  ' + flags.join('; ') : ''}`,
    );
  }
  for (const e of errors) io.err(`${io.style.bad('unreadable:')} ${printable(e.error)}`);
  return errors.length ? 1 : 0;
}

/**
 * The launcher's shortcut (src/commands/fast-args.ts): `mcp add|remove|list` run straight from argv,
 * as commander would run them. null: commander must read this command line (bin/mcpwire.js then loads
 * the CLI bundle).
 */
export function fastMain(argv: readonly string[]): Promise<number> | null {
  const parsed = parseFast(argv.slice(2));
  if (!parsed || !parsed.command.startsWith('mcp ')) return null;
  const { command, arg, opts } = parsed;
  return runCommand({ verbose: false, json: opts.json === true }, (ctx) =>
    command === 'mcp add' ? mcpAdd(ctx, arg, opts as AddOptions) : command === 'mcp remove' ? mcpRemove(ctx, arg, opts as RemoveOptions) : mcpList(ctx, opts),
  );
}

export { runCommand };

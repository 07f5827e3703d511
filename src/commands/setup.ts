/**
 * `mcpwire setup [SERVER]`: from nothing to every chosen client wired. Ask (on a terminal) or take the
 * flags, plan the connection mode per client (src/setup/plan.ts), log in when a bridge entry needs
 * mcpwire's login, write every file in one transaction (so `mcpwire undo` reverts the whole setup),
 * record the server, run doctor on what was written, and say what each client still needs.
 */
import type { DoctorReport, RunDoctor } from '../doctor/types.js';
import { UserError } from '../errors.js';
import { addToText } from '../entries.js';
import { editsBinary } from '../edit/document.js';
import { resolveReal } from '../files/io.js';
import { listEntries } from '../listing.js';
import { PRESETS } from '../presets/index.js';
import { findPreset, plainHttpWarning, resolveServer, showUrl } from '../servers.js';
import { renderBridgeEntry } from '../setup/bridge.js';
import { apiKeyLogin, oauthLogin, type LoginOutcome, type SessionModule } from '../setup/login.js';
import { accountsMatter, nextStep, planSetup, unwritableClients, type Mode, type PlannedEntry } from '../setup/plan.js';
import type { Asker } from '../setup/prompt.js';
import { clientRecords, ledgerKey, ledgerRecordFor, recordClient, type StateFiles } from '../state.js';
import { TARGETS, targetById } from '../targets/index.js';
import type { Scope, ServerSpec, Target } from '../targets/types.js';
import { isoTime, onPath } from '../platform.js';
import { printable, tildify, type IO } from '../ui.js';
import { VERSION } from '../version.js';
import { isTargetGroup, parseScope, resolveTargets, type Context } from './context.js';
import { parseFast } from './fast-args.js';
import { runCommand } from './run.js';
import { formatDiff, renderReports, runWrites, type PlannedWrite, type WriteReport, type WriteReports } from './write.js';

export interface SetupOptions {
  target?: string;
  via?: string;
  scope?: string;
  name?: string;
  account?: string;
  env?: string;
  apiKey?: boolean;
  apiKeyHeader?: string;
  headerEnv?: string[];
  yes?: boolean;
  /** commander: --no-login sets false. */
  login?: boolean;
  /** commander: --no-doctor sets false (no checks at the end: CI, or a network that is not there yet). */
  doctor?: boolean;
  browser?: boolean;
  port?: string;
  timeout?: string;
  browserTimeout?: string;
  dryRun?: boolean;
  json?: boolean;
  force?: boolean;
}

export interface SetupDeps {
  /** doctor on what was just written; absent: no doctor in this build (nothing is made up in its place). */
  doctor?: RunDoctor;
  renderDoctor?: (report: DoctorReport, io: IO) => void;
  /** The questions (tests inject answers; the CLI's terminal one is loaded only when needed). Absent: nothing is asked. */
  asker?: () => Promise<Asker>;
  /**
   * The OAuth session (the MCP SDK), for a sign-in or a refresh: the CLI loads it from its own bundle,
   * only when the stored login is not valid as it is. Absent: this run cannot sign in (tests).
   */
  session?: () => SessionModule | Promise<SessionModule>;
}

/** Without a terminal, with CI=true, --json or --yes, nothing is asked: a missing answer names its flag. */
function missing(what: string, flag: string): UserError {
  return new UserError(`${what} This run cannot ask (no terminal, CI, --json or --yes).`, { fix: flag });
}

function parseVia(raw: string | undefined): Mode | undefined {
  if (raw === undefined) return undefined;
  if (raw !== 'native' && raw !== 'bridge') throw new UserError(`Unknown --via "${printable(raw)}".`, { fix: 'Use --via native or --via bridge.' });
  return raw;
}

function numberFlag(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UserError(`${flag} ${printable(raw)} is not a whole number from ${min} to ${max}.`, { fix: `Pass ${flag} with a number from ${min} to ${max}.` });
  return n;
}

/** The answers setup needs, from the flags or (on a terminal) from the user. */
async function gather(ctx: Context, server: string | undefined, o: SetupOptions, ask: (() => Promise<Asker>) | undefined) {
  // `setup --name NAME` alone re-runs a server mcpwire knows; otherwise the server is asked for.
  const known = o.name !== undefined && Object.hasOwn(ctx.state.cached('servers'), o.name);
  if (!server && !known) {
    if (!ask) throw missing('Which server?', 'Pass a preset or an MCP URL: mcpwire setup pelcro (or mcpwire setup https://…).');
    const asker = await ask();
    // A preset from the list, or any server by its URL (asked next).
    const pick = await asker.select<string>('Which MCP server?', [
      ...PRESETS.map((p, i) => ({ value: p.name, label: `${p.name}: ${p.title}`, checked: i === 0 })),
      { value: '', label: 'another server: type its URL' },
    ]);
    server = pick || (await asker.text('MCP server URL (https://…)'));
  }
  // A preset by name, or by one of its URLs (then that URL's environment is the one recorded).
  const preset = server ? (findPreset(server) ?? PRESETS.find((p) => Object.values(p.urls).includes(server!))) : undefined;
  if (preset && server && o.env === undefined && !findPreset(server)) o = { ...o, env: Object.keys(preset.urls).find((e) => preset.urls[e] === server) };
  let account = o.account;
  let apiKey = Boolean(o.apiKey);
  if (ask && preset) {
    // Only what the preset leaves open is asked: its environment, how to sign in, which account.
    const envs = Object.keys(preset.urls);
    if (o.env === undefined && envs.length > 1)
      o = {
        ...o,
        env: await (
          await ask()
        ).select(
          'Which environment?',
          envs.map((e, i) => ({ value: e, label: `${e}: ${preset.urls[e]}`, checked: i === 0 })),
        ),
      };
    if (!apiKey && preset.auth === 'oauth-or-api-key' && !o.headerEnv?.length)
      apiKey =
        (await (
          await ask()
        ).select(`How do you sign in to ${preset.title}?`, [
          { value: 'oauth', label: 'OAuth: sign in in the browser', checked: true },
          { value: 'api-key', label: `an API key (sent as ${preset.apiKeyHeader ?? 'Authorization: Bearer'}, kept in the keychain)` },
        ])) === 'api-key';
    if (account === undefined && preset.accountPerToken) {
      const label = await (await ask()).text(`Account label, one entry per account (e.g. acme; Enter for none)`, '');
      account = label || undefined;
    }
  }
  const spec = resolveServer(ctx, { server, name: o.name, account, env: o.env, headerEnv: o.headerEnv });
  let targets: Target[];
  if (o.target) targets = resolveTargets(o.target, true, ctx.targets);
  else if (!ask) throw missing('Which clients?', 'Pass --target with client ids (see `mcpwire targets`), detected (the ones installed here) or all.');
  else {
    const chosen = await (
      await ask()
    ).checkbox(
      'Which clients should use it?',
      TARGETS.map((t) => {
        const found = t.detect(ctx.targets);
        return { value: t.id, label: t.name, checked: found, note: found ? undefined : 'not found' };
      }),
    );
    targets = chosen.map((id) => targetById(id)!);
  }
  let scope: Scope;
  if (o.scope !== undefined || !ask) scope = parseScope(o.scope);
  else {
    scope = await (
      await ask()
    ).select<Scope>('Where should the entries go?', [
      { value: 'user', label: 'user: every project on this machine', checked: true },
      { value: 'project', label: `project: this project only (${printable(tildify(ctx.platform, ctx.targets.projectRoot))})` },
    ]);
  }
  return { spec, preset, account, apiKey, env: o.env, targets, scope, explicitTargets: !isTargetGroup(o.target) && o.target !== undefined };
}

/**
 * Entries of the same URL under other names (other accounts), in the clients where one can change the
 * plan; the other files are not read here (the write reads each file once, under its lock).
 */
function otherAccounts(ctx: Context, targets: Target[], scope: Scope, spec: ServerSpec) {
  const relevant = targets.filter((t) => accountsMatter(t.id, scope));
  if (relevant.length === 0) return [];
  return listEntries(ctx, relevant)
    .entries.filter((e) => e.url === spec.url && e.name !== spec.name)
    .map((e) => ({ target: e.target, scope: e.scope, name: e.name, mode: (e.kind === 'bridge' ? 'bridge' : 'native') as Mode }));
}

/** The modes the last setup of this name gave each client in this scope (state). */
function previousModes(ctx: Context, name: string, scope: Scope): Partial<Record<string, Mode>> {
  const servers = ctx.state.cached('servers');
  const server = Object.hasOwn(servers, name) ? servers[name] : undefined;
  return Object.fromEntries(clientRecords(server).flatMap((c) => (c.scope === scope ? [[c.target, c.mode]] : [])));
}

function showPlan(ctx: Context, plan: PlannedEntry[]): void {
  const { io } = ctx;
  const w = Math.max(...plan.map((e) => e.target.length));
  const fw = Math.max(...plan.map((e) => printable(tildify(ctx.platform, e.file)).length));
  io.err(io.style.bold('Plan:'));
  for (const e of plan)
    io.err(`  ${e.target.padEnd(w)}  ${e.mode.padEnd(6)}  ${printable(tildify(ctx.platform, e.file)).padEnd(fw)}  ${io.style.dim(printable(e.why))}`);
}

/** Opens the questions on first use; `release` gives the terminal back (before a hidden key or a sign-in reads stdin). */
type Ask = (() => Promise<Asker>) & { release(): void };

export async function setupCommand(ctx: Context, server: string | undefined, o: SetupOptions, deps: SetupDeps = {}): Promise<number> {
  // Questions come from deps.asker (the CLI's loads the terminal's from their own bundle): without one, nothing is asked.
  const open = deps.asker;
  const interactive = open !== undefined && ctx.io.interactive && !o.json && !o.yes && ctx.platform.env.CI !== 'true';
  let asker: Asker | undefined;
  const ask: Ask | undefined = interactive
    ? Object.assign(async () => (asker ??= await open()), {
        release() {
          asker?.close();
          asker = undefined;
        },
      })
    : undefined;
  try {
    return await setup(ctx, server, o, deps, ask);
  } finally {
    ask?.release();
  }
}

async function setup(ctx: Context, server: string | undefined, o: SetupOptions, deps: SetupDeps, ask: Ask | undefined): Promise<number> {
  const via = parseVia(o.via);
  const timeoutMs = (numberFlag(o.timeout, '--timeout', 1, 3600) ?? 30) * 1000;
  const browserTimeoutMs = (numberFlag(o.browserTimeout, '--browser-timeout', 1, 86_400) ?? 300) * 1000;
  const port = numberFlag(o.port, '--port', 1, 65535);
  const { spec, preset, account, apiKey, env, targets, scope, explicitTargets } = await gather(ctx, server, o, ask);
  // setup writes no secret into any client file: a credential in the URL belongs in the keychain.
  if (spec.secretInUrl)
    throw new UserError(`The URL's "${printable(spec.secretInUrl)}" parameter is a credential; setup never writes one into a client file.`, {
      fix: 'Pass the URL without it, and the credential with --api-key (kept in the keychain), or use `mcpwire mcp add` if you accept a secret in the files.',
    });
  if (o.apiKeyHeader !== undefined && !apiKey)
    throw new UserError('--api-key-header goes with --api-key.', { fix: 'Add --api-key, or leave --api-key-header out.' });
  const keyHeader = (o.apiKeyHeader ?? preset?.apiKeyHeader ?? 'Authorization').trim();
  if (apiKey && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(keyHeader))
    throw new UserError('--api-key-header takes a header name only.', {
      fix: 'Pass only the name, e.g. --api-key-header X-API-Key; the key is typed or piped in.',
    });

  // A client that cannot take this scope: refused when named, skipped when chosen through all/detected.
  const unfit = targets.filter((t) => !t.scopes.includes(scope));
  if (explicitTargets && unfit.length > 0)
    throw new UserError(`${unfit.map((t) => t.name).join(', ')} ${unfit.length > 1 ? 'have' : 'has'} no ${scope} scope.`, {
      fix: `Use --scope ${unfit[0].scopes.join(' or --scope ')} for ${unfit[0].id}, or leave it out of --target.`,
    });
  const chosen = targets.filter((t) => t.scopes.includes(scope));
  if (chosen.length === 0) throw new UserError(`None of the chosen clients has a ${scope} scope.`, { fix: 'Use --scope user.' });

  const plan = planSetup({
    name: spec.name,
    url: spec.url,
    scope,
    targets: chosen.map((t) => ({ id: t.id, name: t.name, file: t.file(scope, ctx.targets) })),
    via,
    apiKey,
    headerEnv: spec.headerEnvs.length > 0,
    others: otherAccounts(ctx, chosen, scope, spec),
    previous: previousModes(ctx, spec.name, scope),
  });
  if (!o.json) {
    ctx.io.err(
      `${printable(spec.name)} → ${showUrl(spec.url)}${preset?.accountPerToken && !account ? ctx.io.style.dim('  (one account per token: add --account LABEL to keep several)') : ''}`,
    );
    showPlan(ctx, plan);
  }
  const insecure = plainHttpWarning(spec.url);
  if (insecure) ctx.io.err(`${ctx.io.style.warn('warning:')} ${insecure}`);
  if (ask && !o.dryRun && !(await (await ask()).confirm('Write these entries?', true))) throw new UserError('Nothing was changed.', { exitCode: 130 });

  // The credential first: a sign-in that fails or is cancelled leaves every file as it was.
  const needsLogin = plan.some((e) => e.mode === 'bridge');
  let login: LoginOutcome | { kind: 'skipped'; why: string };
  if (o.dryRun) login = { kind: 'skipped', why: '--dry-run' };
  else if (o.login === false)
    login = { kind: 'skipped', why: apiKey ? `--no-login; store the key later: mcpwire auth login ${spec.name} --api-key` : '--no-login' };
  else if (apiKey)
    login = await apiKeyLogin(ctx, {
      name: spec.name,
      url: spec.url,
      header: keyHeader,
      canAsk: Boolean(ask),
      ask: ask && (async (q) => (await ask()).secret(q)),
    });
  else if (!needsLogin) login = { kind: 'skipped', why: 'every client logs in by itself' };
  else {
    // The sign-in's own Ctrl-C handling (and `codex mcp login` later) get a terminal no question holds.
    ask?.release();
    login = await oauthLogin(ctx, {
      name: spec.name,
      url: spec.url,
      noBrowser: o.browser === false,
      port,
      timeoutMs,
      browserTimeoutMs,
      version: VERSION,
      session: async () => {
        if (!deps.session) throw new Error('setup: no OAuth session in this build');
        // Its errors carry that bundle's copy of UserError: runCommand reads them by their fields
        // (ownUserError), so a cancelled or failed sign-in still exits with its code, message and fix.
        return deps.session();
      },
    });
  }

  // The clients whose entry is in place after the edits: only their mode is recorded.
  const wiredHere = new Set<string>();
  const writes: PlannedWrite[] = plan.map((e) => {
    const t = targetById(e.target)!;
    const container = t.container(scope, ctx.targets);
    return {
      target: e.target,
      scope,
      file: e.file,
      sharedLock: t.sharedLock?.(e.file),
      privateFile: t.privateFile,
      binary: editsBinary(t.format),
      edit: (current, note) => {
        const key = ledgerKey(resolveReal(ctx.platform, e.file), container, spec.name);
        const prev = ctx.state.cached('ledger')[key];
        const rendered = e.mode === 'bridge' ? renderBridgeEntry(e.target, spec, ctx.targets) : t.render(spec, ctx.targets);
        // An entry mcpwire wrote under this name is setup's own: updated in place. Anyone else's needs --force.
        const r = addToText(t, current, e.file, container, spec.name, rendered, Boolean(o.force) || prev !== undefined, { binary: editsBinary(t.format) });
        note.action = r.action;
        if (r.action === 'added' || r.action === 'updated' || r.action === 'unchanged') wiredHere.add(e.target);
        if (r.action !== 'unchanged') note.warnings.push(...rendered.warnings);
        if (r.action === 'added' || r.action === 'updated')
          note.ledger[key] = ledgerRecordFor({ target: t.id, scope, name: spec.name }, r, prev, current === null, ctx.platform.now());
        return { text: r.text, secret: rendered.literalSecret, splice: r.splice };
      },
    };
  });
  // An API key is the server's kind of login even when it is stored later (--no-login): `mcp add` then uses the bridge.
  const authKind = apiKey ? 'api-key' : login.kind === 'skipped' ? undefined : login.kind;
  const remember = {
    wanted: (reports: WriteReport[]) => reports.some((r) => r.action === 'added' || r.action === 'updated' || r.action === 'unchanged'),
    apply(s: StateFiles) {
      const was = Object.hasOwn(s.servers, spec.name) ? s.servers[spec.name] : undefined;
      const clients = { ...was?.clients };
      for (const e of plan) if (wiredHere.has(e.target)) recordClient(clients, e.target, { mode: e.mode, scope, file: e.file });
      s.servers[spec.name] = {
        name: spec.name,
        url: spec.url,
        headerEnvs: spec.headerEnvs.length ? spec.headerEnvs : undefined,
        addedAt: was?.addedAt ?? isoTime(ctx.platform.now()),
        env: preset ? (env ?? 'production') : was?.env,
        account: account ?? was?.account,
        auth: authKind ?? was?.auth,
        clients,
      };
    },
  };
  const reports = await runWrites(ctx, `setup ${spec.name}`, writes, Boolean(o.dryRun), remember, { noteNotInstalled: true });

  const wired = plan.filter((_, i) => ['added', 'updated', 'unchanged'].includes(reports[i].action));
  let doctor: DoctorReport | undefined;
  if (!o.dryRun && o.doctor !== false && deps.doctor && wired.length > 0)
    doctor = await deps.doctor(ctx, {
      names: [spec.name],
      targets: wired.map((e) => e.target),
      timeoutSeconds: o.timeout !== undefined ? timeoutMs / 1000 : undefined,
    });

  // --no-login: a bridge that cannot start until `mcpwire auth login` runs is the step left, not a failure.
  if (doctor && o.login === false) doctor = loginLeftAsStep(doctor);

  const refused = reports.filter((r) => r.action === 'refused' || r.action === 'failed');
  // Some clients wired and one refused: the run failed (1); nothing wired because of bad input: 2.
  let code = refused.length === 0 ? 0 : wired.length > 0 ? 1 : reports.some((r) => r.action === 'failed') ? 1 : 2;
  if (reports.journalError) code = Math.max(code, 1);
  if (doctor && !doctor.ok) code = Math.max(code, 1);

  if (o.json) {
    jsonOut(ctx, reports, plan, login, doctor, Boolean(o.dryRun));
    return code;
  }
  renderReports(ctx, reports, { json: false, dryRun: Boolean(o.dryRun) });
  if (o.dryRun) return code;
  if (ask) await offerCodexLogin(ctx, plan, reports, ask);
  summary(ctx, spec, plan, reports, login, doctor, deps, apiKey, o.doctor === false);
  return code;
}

/**
 * Codex logs in only when told to (`codex mcp login NAME`); on a terminal, with codex installed and a
 * native entry just written, setup offers to run it (its own browser sign-in, on this terminal).
 */
async function offerCodexLogin(ctx: Context, plan: PlannedEntry[], reports: WriteReports, ask: () => Promise<Asker>): Promise<void> {
  const i = plan.findIndex((e) => e.target === 'codex' && e.mode === 'native');
  if (i === -1 || !['added', 'updated'].includes(reports[i].action) || !onPath(ctx.platform, 'codex')) return;
  const name = plan[i].name;
  if (!(await (await ask()).confirm(`Run \`codex mcp login ${name}\` now?`, true))) return;
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const r = spawnSync('codex', ['mcp', 'login', name], { stdio: 'inherit' });
  if (r.status !== 0) ctx.io.err(`${ctx.io.style.warn('warning:')} codex mcp login ${name} did not finish; run it again later.`);
}

/** doctor's report after `--no-login`: a bridge refused for want of a login is a warning (the step left). */
function loginLeftAsStep(report: DoctorReport): DoctorReport {
  const checks = report.checks.map((c) =>
    c.status === 'fail' && c.id === 'client.bridge-start' && /auth login/.test(c.fix ?? '')
      ? { ...c, status: 'warn' as const, message: `${c.message} (expected after --no-login)` }
      : c,
  );
  return { ...report, checks, ok: !checks.some((c) => c.status === 'fail') };
}

function loginLine(login: LoginOutcome | { kind: 'skipped'; why: string }, name: string): string {
  if (login.kind === 'skipped') return `Login: skipped (${login.why}).`;
  if (login.kind === 'none') return `Login: none needed (${name} answered without one).`;
  const where = login.store === 'keychain' ? 'the OS keychain' : "mcpwire's credentials file";
  if (login.kind === 'api-key')
    return login.result === 'existing' ? `Login: the API key stored in ${where} is used.` : `Login: API key stored in ${where} (sent as ${login.header}).`;
  return login.result === 'existing' ? `Login: already logged in (a valid login in ${where}).` : `Login: logged in; the token is in ${where}.`;
}

function summary(
  ctx: Context,
  spec: ServerSpec,
  plan: PlannedEntry[],
  reports: WriteReports,
  login: LoginOutcome | { kind: 'skipped'; why: string },
  doctor: DoctorReport | undefined,
  deps: SetupDeps,
  apiKey: boolean,
  noDoctor: boolean,
): void {
  const { io } = ctx;
  io.out('');
  io.out(loginLine(login, printable(spec.name)));
  if (doctor) {
    if (deps.renderDoctor) deps.renderDoctor(doctor, io);
    else
      for (const c of doctor.checks)
        io.out(`  ${c.status.padEnd(4)}  ${printable(c.subject)}  ${printable(c.message)}${c.fix ? `  fix: ${printable(c.fix)}` : ''}`);
  } else if (noDoctor) io.out(`Doctor: skipped (--no-doctor); check later: mcpwire doctor ${printable(spec.name)}`);
  else if (!deps.doctor) io.out('Doctor: not part of this build; run `mcpwire doctor` once it is.');
  const next = plan.filter((_, i) => ['added', 'updated', 'unchanged'].includes(reports[i].action));
  if (next.length > 0) {
    io.out('Next, in each client:');
    const w = Math.max(...next.map((e) => e.target.length));
    for (const e of next) io.out(`  ${e.target.padEnd(w)}  ${nextStep(e, apiKey)}`);
  }
  io.out('Not written (their servers live in the vendor cloud), add them by hand:');
  for (const c of unwritableClients(showUrl(spec.url))) io.out(`  ${c.name}: ${c.steps}`);
  if (reports.some((r) => r.action === 'added' || r.action === 'updated')) io.out('Undo all of this: mcpwire undo');
}

function jsonOut(
  ctx: Context,
  reports: WriteReports,
  plan: PlannedEntry[],
  login: LoginOutcome | { kind: 'skipped'; why: string },
  doctor: DoctorReport | undefined,
  dryRun: boolean,
): void {
  for (const r of reports) {
    if (r.error) ctx.io.err(`mcpwire: ${printable(r.error.message)}${r.error.fix ? `\nfix: ${printable(r.error.fix)}` : ''}`);
    for (const warning of r.warnings) ctx.io.err(`warning: ${printable(warning)}`);
  }
  ctx.io.json({
    dryRun: dryRun || undefined,
    changes: reports.map((r, i) => ({
      target: r.target,
      scope: r.scope,
      file: r.file,
      action: r.action,
      name: plan[i].name,
      mode: plan[i].mode,
      why: plan[i].why,
      ...(r.notInstalled ? { installed: false } : {}),
      ...(r.error ? { error: r.error.message, fix: r.error.fix } : {}),
      ...(r.warnings.length ? { warnings: r.warnings } : {}),
      ...(r.diff ? { diff: formatDiff(r.file, r.diff) } : {}),
    })),
    login: login.kind === 'skipped' ? { result: 'skipped', why: login.why } : login,
    next: plan
      .filter((_, i) => ['added', 'updated', 'unchanged'].includes(reports[i].action))
      .map((e) => ({ target: e.target, step: nextStep(e, login.kind === 'api-key') })),
    // null: this build has no doctor (never a made-up report).
    doctor: doctor ?? null,
    ...(reports.journalError ? { journalError: reports.journalError.message, changedFiles: reports.changed } : {}),
  });
}

type DoctorModule = { runDoctor: RunDoctor; renderDoctorReport(report: DoctorReport, io: IO): void };
type PromptModule = typeof import('../setup/prompt.js');

/** The bundles setup loads on the way, and how (bin/mcpwire.js's loader: with V8's code cache). */
type SetupBundles = { doctor: DoctorModule; authsession: SessionModule; prompts: PromptModule };
type LoadBundle = <K extends keyof SetupBundles>(name: K) => SetupBundles[K];

/** The CLI's entry: doctor, the questions and the credential step come from their own bundles (tests inject theirs). */
export async function setupMain(ctx: Context, server: string | undefined, o: SetupOptions, load: LoadBundle): Promise<number> {
  return setupCommand(ctx, server, o, {
    // The terminal's questions, from their own bundle: a run with every answer in its flags never reads it.
    // (Its errors, Ctrl-C's exit code 130 included, are taken by their fields in runCommand.)
    asker: async () => load('prompts').terminalAsker(ctx.io),
    // doctor's own bundle, loaded once setup has written (not at all with --no-doctor or --dry-run).
    doctor: (c, opts) => load('doctor').runDoctor(c, opts),
    renderDoctor: (report, io) => load('doctor').renderDoctorReport(report, io),
    session: () => load('authsession'),
  });
}

/**
 * The launcher's shortcut (src/commands/fast-args.ts): `setup` run straight from argv, as commander
 * would run it (then the process exits: a login's idle sockets must not hold it open). null: commander
 * must read this command line.
 */
export function fastMain(argv: readonly string[], load: LoadBundle): Promise<number> | null {
  const parsed = parseFast(argv.slice(2));
  if (!parsed || parsed.command !== 'setup') return null;
  const { arg, opts } = parsed;
  return runCommand({ verbose: false, json: opts.json === true }, (ctx) => setupMain(ctx, arg, opts as SetupOptions, load)).then((code) => process.exit(code));
}

export { runCommand };

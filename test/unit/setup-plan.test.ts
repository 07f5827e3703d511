/** setup's plan (src/setup/plan.ts): the connection mode per client and why, as a pure function. */
import { describe, expect, test } from 'vitest';
import { nextStep, planSetup, unwritableClients, type PlanInput } from '../../src/setup/plan.js';
import { TARGET_IDS } from '../../src/targets/ids.js';

const URL = 'https://mcp.pelcro.com/';
const all = TARGET_IDS.map((id) => ({ id, name: id, file: `/home/u/${id}` }));
const input = (o: Partial<PlanInput> = {}): PlanInput => ({
  name: 'pelcro',
  url: URL,
  scope: 'user',
  targets: all,
  apiKey: false,
  headerEnv: false,
  others: [],
  ...o,
});
const modes = (o: Partial<PlanInput> = {}) => Object.fromEntries(planSetup(input(o)).map((e) => [e.target, e.mode]));

describe('planSetup', () => {
  test('native where the client takes remote servers, the bridge for Claude Desktop', () => {
    expect(modes()).toEqual({ 'claude-code': 'native', codex: 'native', cursor: 'native', 'claude-desktop': 'bridge', vscode: 'native', windsurf: 'native' });
    expect(planSetup(input()).every((e) => e.why.length > 0 && e.file === `/home/u/${e.target}` && e.name === 'pelcro')).toBe(true);
  });

  test('--via bridge: every client on the bridge; --via native: every client that can (Claude Desktop cannot)', () => {
    expect(Object.values(modes({ via: 'bridge' }))).toEqual(Array(6).fill('bridge'));
    expect(modes({ via: 'native' })).toMatchObject({ 'claude-desktop': 'bridge', cursor: 'native', codex: 'native' });
  });

  test('a client on the bridge at the last setup stays there unless --via says otherwise', () => {
    const previous = { cursor: 'bridge' as const, codex: 'native' as const };
    expect(modes({ previous })).toMatchObject({ cursor: 'bridge', codex: 'native', vscode: 'native' });
    expect(planSetup(input({ previous })).find((e) => e.target === 'cursor')!.why).toMatch(/as set up before/);
    expect(modes({ previous, via: 'native' })).toMatchObject({ cursor: 'native' });
  });

  test('an API key: the bridge by default; with --header-env the clients read it from their environment', () => {
    expect(Object.values(modes({ apiKey: true }))).toEqual(Array(6).fill('bridge'));
    expect(modes({ apiKey: true, headerEnv: true })).toMatchObject({ cursor: 'native', 'claude-desktop': 'bridge' });
    expect(() => planSetup(input({ apiKey: true, via: 'native' }))).toThrow(/would put the key into every client file/);
  });

  test("a second account of the same URL in Claude Code's project .mcp.json takes the bridge, even with --via native", () => {
    const others = [{ target: 'claude-code', scope: 'project', name: 'pelcro-acme', mode: 'native' as const }];
    const plan = (o: Partial<PlanInput>) => planSetup(input({ name: 'pelcro-other', targets: all.slice(0, 2), others, ...o }));
    expect(plan({ scope: 'project' }).map((e) => e.mode)).toEqual(['bridge', 'native']);
    expect(plan({ scope: 'project' })[0].why).toMatch(/pelcro-acme is there already/);
    expect(plan({ scope: 'project', via: 'native' })[0].mode).toBe('bridge');
    // User scope keeps both entries by name; another bridge entry does not cross either.
    expect(plan({ scope: 'user', others: [{ ...others[0], scope: 'user' }] })[0].mode).toBe('native');
    expect(plan({ scope: 'project', others: [{ ...others[0], mode: 'bridge' }] })[0].mode).toBe('native');
  });

  test('the next step names what each client still needs', () => {
    const [cc, codex, , desktop] = planSetup(input({ name: 'pelcro-acme' }));
    expect(nextStep(cc, false)).toBe('In Claude Code: /mcp → pelcro-acme → Authenticate.');
    expect(nextStep(codex, false)).toBe('Run `codex mcp login pelcro-acme`.');
    expect(nextStep(desktop, false)).toMatch(/^Quit and reopen Claude Desktop/);
    expect(nextStep(planSetup(input({ scope: 'project' }))[0], false)).toMatch(/Approve the project server/);
    expect(unwritableClients('http://127.0.0.1:3000/mcp').map((c) => c.steps)).toEqual([
      expect.stringMatching(/paste http:\/\/127\.0\.0\.1:3000\/mcp \(it connects from the vendor cloud/),
      expect.stringMatching(/ChatGPT|Developer mode/),
    ]);
  });
});

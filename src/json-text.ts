/**
 * JSON text without surprises: a scanner over valid JSON (offsets of strings and values, used by the
 * strict-JSON editor) and `parseJsonText`, a `JSON.parse` that is right on every Node mcpwire runs on.
 *
 * Why not plain `JSON.parse`: V8 12.8 and later (Node 24; nodejs/node#63785, V8 issue 521080746, open
 * in late 2026) can decode an object key that holds an escape sequence as an earlier, different key:
 * once any parse in the process has seen a key such as `\\`, a later key `"\u0061"` or `"\""` in an
 * object of the same shape reads back as `\`. Keys without an escape are never affected. So
 * `parseJsonText` takes the native parse as it is unless the text has a key with an escape; then it
 * builds those objects itself, decoding each such key as a lone string (which the bug cannot touch) and
 * leaving every subtree without one to the native parser. Engines older than V8 12.8 (Node 20 and 22) do
 * not have the bug and always take the native parse: the exact build costs ~5 ms on a state file whose
 * keys hold escapes, in a command that has ~40 ms of its own.
 */

/** The most a JSON text may nest: `max` levels, else `refuse(offset)` (which throws). */
export interface DepthLimit {
  max: number;
  refuse: (offset: number) => never;
}

export const QUOTE = 34;
export const BACKSLASH = 92;
export const OPEN_BRACE = 123;
export const CLOSE_BRACE = 125;
export const OPEN_BRACKET = 91;
export const CLOSE_BRACKET = 93;
export const COMMA = 44;

export function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** Offset just after the string that starts (with its quote) at i. */
export function stringEnd(s: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = s.indexOf('"', from);
    if (q === -1) throw new Error('strict JSON scanner: unterminated string'); // unreachable for valid JSON
    let b = q - 1;
    while (s.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    from = q + 1;
  }
}

/**
 * Offset just after the value that starts at i. Nested values are skipped without recursion, so any
 * depth is safe; with `deep`, nesting beyond `deep.max` (the value itself being one level down) is refused.
 */
export function valueEnd(s: string, i: number, deep?: DepthLimit): number {
  const c = s.charCodeAt(i);
  if (c === QUOTE) return stringEnd(s, i);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) {
    let j = i + 1;
    for (;;) {
      const d = s.charCodeAt(j);
      if (d === COMMA || d === CLOSE_BRACE || d === CLOSE_BRACKET || d === 32 || d === 10 || d === 13 || d === 9 || d !== d) return j;
      j++;
    }
  }
  let level = 0;
  for (;;) {
    i = skipToBracket(s, i);
    const d = s.charCodeAt(i);
    if (d === QUOTE) {
      i = stringEnd(s, i);
      continue;
    }
    if (d === OPEN_BRACE || d === OPEN_BRACKET) {
      if (++level >= (deep?.max ?? Infinity)) deep!.refuse(i);
    } else if (d === CLOSE_BRACE || d === CLOSE_BRACKET) {
      if (--level === 0) return i + 1;
    } else if (i >= s.length)
      throw new Error('strict JSON scanner: unbalanced value'); // unreachable for valid JSON
    else continue; // SKIP_FLAT stopped at its bound
    i++;
  }
}

/**
 * Sticky: skips runs of characters that are neither quotes nor brackets and whole strings, up to 1024
 * of them per call (a cold start would interpret a loop over every character, or one call per string).
 * Linear on any input: the alternatives start with different characters and the string's body is
 * unrolled (no nested quantifier over the same characters).
 */
const SKIP_FLAT = /(?:[^"{}[\]]+|"[^"\\]*(?:\\[^][^"\\]*)*"){0,1024}/y;
/** Sticky: everything up to the next quote or bracket. */
const UNTIL_STRUCTURE = /[^"{}[\]]*/y;

/** The offset of the next bracket from i, strings skipped (or of a quote SKIP_FLAT could not take, or of its bound, or the end). */
function skipToBracket(s: string, i: number): number {
  // skipWith's work, inline: this runs once per bracket of the file (a call more cost ~0.07 ms cold).
  SKIP_FLAT.lastIndex = i;
  try {
    SKIP_FLAT.test(s);
    return SKIP_FLAT.lastIndex;
  } catch {
    // A string too long for the expression's backtracking stack (megabytes of escapes): to the next quote.
    return skipWith(UNTIL_STRUCTURE, s, i);
  }
}

/** Run a sticky expression from i: where it stopped (-1: it gave up, an input too long for its backtracking stack). */
export function skipWith(re: RegExp, s: string, i: number): number {
  re.lastIndex = i;
  try {
    re.test(s);
  } catch {
    return -1;
  }
  return re.lastIndex;
}

/**
 * A key with an escape, found from its last backslash: the escape, then plain characters up to the
 * closing quote and a colon. Every escaped key matches at its last escape; anything else that
 * matches only costs the slower exact parse. Each attempt stops at the next quote or backslash, so
 * the search is linear.
 */
const ESCAPED_KEY = /\\[^][^"\\]*"[ \t\r\n]*:/g;

/**
 * Where the first escaped key at or after `from` is (the text's length: none). exactValue asks in
 * document order, so one forward search serves every question up to the match it found: the search
 * work is linear in the text, however the values nest.
 */
function escapedKeyFinder(s: string): (from: number) => number {
  let at = -1;
  return (from) => {
    if (at >= from) return at;
    if (s.indexOf('\\', from) === -1) return (at = s.length);
    ESCAPED_KEY.lastIndex = from;
    const m = ESCAPED_KEY.exec(s);
    return (at = m === null ? s.length : m.index);
  };
}

/** The engine's own parse, kept before useExactJsonParse() replaces the global. */
const nativeParse = JSON.parse;

/** Whether this engine may misread escaped keys: V8 12.8 and later (a fixed release is not known yet). */
export function engineMisreadsEscapedKeys(v8Version: string = process.versions.v8): boolean {
  const [major, minor] = v8Version.split('.').map(Number);
  return !(major < 12 || (major === 12 && minor < 8));
}

const AFFECTED = engineMisreadsEscapedKeys();

/** JSON.parse, with object keys that hold escapes decoded exactly (see the top of this file). Same errors as JSON.parse. */
export function parseJsonText(text: string): unknown {
  return AFFECTED ? exactParseJsonText(text) : nativeParse(text);
}

/** parseJsonText's exact build, on any engine (the tests run it on Node 20 too). */
export function exactParseJsonText(text: string): unknown {
  const value: unknown = nativeParse(text); // validates: the exact build below assumes valid JSON
  const start = skipWs(text, 0);
  const nextEscapedKey = escapedKeyFinder(text);
  if (nextEscapedKey(start) >= text.length) return value;
  return exactValue(text, start, valueEnd(text, start), nextEscapedKey);
}

/** The value in s[i, end): natively parsed unless an object in it has a key with an escape. Each value is scanned once per level. */
function exactValue(s: string, i: number, end: number, nextEscapedKey: (from: number) => number): unknown {
  const c = s.charCodeAt(i);
  if ((c !== OPEN_BRACE && c !== OPEN_BRACKET) || nextEscapedKey(i) >= end) return nativeParse(s.slice(i, end));
  if (c === OPEN_BRACKET) {
    const items: unknown[] = [];
    let j = skipWs(s, i + 1);
    if (s.charCodeAt(j) === CLOSE_BRACKET) return items;
    for (;;) {
      const e = valueEnd(s, j);
      items.push(exactValue(s, j, e, nextEscapedKey));
      j = skipWs(s, e);
      if (s.charCodeAt(j) !== COMMA) return items;
      j = skipWs(s, j + 1);
    }
  }
  const o: Record<string, unknown> = {};
  let j = skipWs(s, i + 1);
  if (s.charCodeAt(j) === CLOSE_BRACE) return o;
  for (;;) {
    const ke = stringEnd(s, j);
    const raw = s.slice(j + 1, ke - 1);
    const key = raw.indexOf('\\') === -1 ? raw : (nativeParse(s.slice(j, ke)) as string);
    const vs = skipWs(s, skipWs(s, ke) + 1);
    const ve = valueEnd(s, vs);
    const v = exactValue(s, vs, ve, nextEscapedKey);
    // As JSON.parse: an own property even for `__proto__`; a repeated key keeps its first place and its last value.
    if (key === '__proto__') Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
    else o[key] = v;
    j = skipWs(s, ve);
    if (s.charCodeAt(j) !== COMMA) return o;
    j = skipWs(s, j + 1);
  }
}

/**
 * Make the global JSON.parse exact, for a process whose parsing is not all ours: the bridge, where the
 * MCP SDK parses every server message (a JSON body or an SSE event) before it is passed on. A reviver
 * gets the native parse.
 */
export function useExactJsonParse(): void {
  if (!AFFECTED || JSON.parse !== nativeParse) return;
  JSON.parse = ((text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) =>
    reviver ? nativeParse(text, reviver) : parseJsonText(String(text))) as typeof JSON.parse;
}

/**
 * Secrets out of what mcpwire shows (`--dry-run` diffs): header values, `env` values and anything named
 * like a credential are replaced by `****`, in the lines that change and in the context lines around
 * them (other entries' literal secrets included). References to the environment or to an input
 * (`${GITHUB_PAT}`, `${env:X}`, `${input:id}`) are not secrets and stay readable. The line structure is
 * kept, so a diff of masked texts has the shape of the real one.
 */

/** Objects/tables whose every string value may be a secret. */
const SECRET_CONTAINERS = new Set(['headers', 'http_headers', 'env_http_headers', 'env']);
/** Keys whose value is a secret wherever they are (but not the names of variables that hold one). */
const SECRET_KEY = /authorization|token|secret|passw|api[-_]?key|cookie|credential/i;
const VARIABLE_NAME_KEY = /(_env_var|_var|_env|_name)$/i;
const REFERENCE_ONLY = /^\s*(?:(?:Bearer|Basic|Token|Digest)\s+)?(?:\$\{[^}]*\}\s*)+$/i;
const SCHEME = /^(\s*(?:Bearer|Basic|Token|Digest)\s+)/i;
/** Credentials in URL queries (`?token=…`, `&api_key=…`). */
const QUERY_SECRET = /([?&](?:[a-z0-9_-]*token|[a-z0-9_-]*key|auth|secret|password|passwd|pwd|sig|signature|code)=)[^&#"'\s\\]+/gi;

export function shouldMask(path: readonly string[]): boolean {
  for (let i = 0; i < path.length - 1; i++) if (SECRET_CONTAINERS.has(path[i].toLowerCase())) return true;
  const last = path[path.length - 1] ?? '';
  return SECRET_KEY.test(last) && !VARIABLE_NAME_KEY.test(last);
}

/** The raw content of a string literal, masked (a scheme word such as `Bearer` stays). */
export function maskValue(raw: string): string {
  if (raw === '' || REFERENCE_ONLY.test(raw)) return raw;
  const scheme = SCHEME.exec(raw);
  return (scheme ? scheme[1] : '') + '****';
}

export function maskSecrets(text: string, format: 'json' | 'toml'): string {
  const masked = format === 'toml' ? maskToml(text) : maskJson(text);
  return masked.replace(QUERY_SECRET, '$1****');
}

interface Frame {
  object: boolean;
  path: string[];
  key?: string;
  /** Arrays: the previous string element (`--header` before `Name: value` in a command's args). */
  prev?: string;
}

const HEADER_FLAG = /^(--header|-H)$/;

/** `Name: value` of a header passed on a command line: the value masked. */
function maskHeaderArg(raw: string): string {
  const colon = raw.indexOf(':');
  return colon === -1 ? maskValue(raw) : raw.slice(0, colon + 1) + ' ' + maskValue(raw.slice(colon + 1).trimStart());
}

/** JSON and JSONC (comments and trailing commas): a scan that tracks the key path of every string. */
function maskJson(text: string): string {
  let out = '';
  let last = 0;
  const stack: Frame[] = [];
  let expectKey = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < n && text.charCodeAt(j) !== 0x22 && text.charCodeAt(j) !== 0x0a) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const raw = text.slice(i + 1, Math.min(j, n));
      const top = stack[stack.length - 1];
      if (top?.object && expectKey) {
        top.key = raw;
        expectKey = false;
      } else if (top) {
        const path = [...top.path, top.object ? (top.key ?? '') : '[]'];
        const headerArg = !top.object && top.prev !== undefined && HEADER_FLAG.test(top.prev);
        if (!top.object) top.prev = raw;
        if (headerArg || shouldMask(path)) {
          const m = headerArg ? maskHeaderArg(raw) : maskValue(raw);
          if (m !== raw) {
            out += text.slice(last, i + 1) + m;
            last = j;
          }
        }
      }
      i = j;
    } else if (c === 0x2f /* / */ && text.charCodeAt(i + 1) === 0x2f) {
      const e = text.indexOf('\n', i);
      i = e === -1 ? n : e;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a /* * */) {
      const e = text.indexOf('*/', i + 2);
      i = e === -1 ? n : e + 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const top = stack[stack.length - 1];
      const path = top ? [...top.path, top.object ? (top.key ?? '') : '[]'] : [];
      stack.push({ object: c === 0x7b, path });
      expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) {
      expectKey = Boolean(stack[stack.length - 1]?.object);
    } else if (c === 0x3a /* : */) {
      expectKey = false;
    }
  }
  return out + text.slice(last);
}

const TOML_KEY = String.raw`(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')`;
const DOTTED = new RegExp(String.raw`^\s*(${TOML_KEY}(?:\s*\.\s*${TOML_KEY})*)\s*=\s*`);
const TOML_STRING = String.raw`("(?:[^"\\]|\\.)*"|'[^']*')`;
const INLINE_PAIR = new RegExp(String.raw`(${TOML_KEY}(?:\s*\.\s*${TOML_KEY})*)(\s*=\s*)${TOML_STRING}`, 'g');

function tomlKeys(dotted: string): string[] {
  const keys: string[] = [];
  for (const m of dotted.matchAll(new RegExp(TOML_KEY, 'g'))) {
    const k = m[0];
    keys.push(k.startsWith('"') || k.startsWith("'") ? k.slice(1, -1) : k);
  }
  return keys;
}

function maskString(literal: string): string {
  const q = literal[0];
  return q + maskValue(literal.slice(1, -1)) + q;
}

/** TOML, line by line: the current table plus each line's (dotted) key; inline tables too. */
function maskToml(text: string): string {
  let table: string[] = [];
  return text
    .split('\n')
    .map((line) => {
      const header = /^\s*\[\[?\s*([^\]]*?)\s*\]\]?/.exec(line);
      if (header && !DOTTED.test(line)) {
        table = tomlKeys(header[1]);
        return line;
      }
      const m = DOTTED.exec(line);
      if (!m) return line;
      const path = [...table, ...tomlKeys(m[1])];
      const rest = line.slice(m[0].length);
      if (rest.startsWith('{')) {
        return (
          line.slice(0, m[0].length) +
          rest.replace(INLINE_PAIR, (all, k: string, eq: string, v: string) => (shouldMask([...path, ...tomlKeys(k)]) ? k + eq + maskString(v) : all))
        );
      }
      const s = new RegExp('^' + TOML_STRING).exec(rest);
      if (s && shouldMask(path)) return line.slice(0, m[0].length) + maskString(s[1]) + rest.slice(s[1].length);
      if (rest.startsWith('[') && shouldMask(path)) return line.slice(0, m[0].length) + rest.replace(new RegExp(TOML_STRING, 'g'), maskString);
      return line;
    })
    .join('\n');
}

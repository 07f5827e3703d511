/**
 * The `Headers` the bridge and its SDK bundle use (scripts/build.mjs injects it into dist/mcpsdk.cjs in
 * place of the global): the global one is undici's, and touching it loads all of Node's built-in fetch
 * (a bare Node 37.7 → 49.4 MB RSS for `new Headers()`), in a process that must idle under 60 MB.
 *
 * What the MCP SDK's transport and the bridge call: a case-insensitive map with get, has, set, append,
 * delete, forEach and iteration (sorted, lower-case names, as the Fetch standard's). Names must be HTTP
 * tokens and values free of CR, LF and NUL (a TypeError otherwise, as undici's); unlike undici's, the
 * error never quotes the value, which may be a credential. Node's fetch takes an instance as it takes
 * any iterable of pairs.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const FORBIDDEN_IN_VALUE = /[\0\r\n]/;
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

type Init = Iterable<readonly [string, string]> | Record<string, string> | { forEach(cb: (value: string, name: string) => void): void } | null | undefined;

export class LightHeaders {
  readonly #map = new Map<string, string>();

  constructor(init?: Init) {
    if (init == null) return;
    if (typeof (init as Iterable<unknown>)[Symbol.iterator] === 'function') {
      for (const pair of init as Iterable<readonly [string, string]>) {
        if (pair == null || typeof pair !== 'object' || pair.length !== 2) throw new TypeError('Headers: each header must be a [name, value] pair.');
        this.append(pair[0], pair[1]);
      }
    } else if (typeof init === 'object') {
      for (const name of Object.keys(init)) this.append(name, (init as Record<string, string>)[name]);
    } else {
      throw new TypeError('Headers: expected an object or a list of pairs.');
    }
  }

  append(name: string, value: string): void {
    const [n, v] = checked(name, value);
    const had = this.#map.get(n);
    this.#map.set(n, had === undefined ? v : `${had}, ${v}`);
  }

  set(name: string, value: string): void {
    const [n, v] = checked(name, value);
    this.#map.set(n, v);
  }

  get(name: string): string | null {
    return this.#map.get(String(name).toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.#map.has(String(name).toLowerCase());
  }

  delete(name: string): void {
    this.#map.delete(String(name).toLowerCase());
  }

  getSetCookie(): string[] {
    return [];
  }

  forEach(cb: (value: string, name: string, headers: LightHeaders) => void, thisArg?: unknown): void {
    for (const [n, v] of this.entries()) cb.call(thisArg, v, n, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const n of [...this.#map.keys()].sort()) yield [n, this.#map.get(n)!];
  }

  *keys(): IterableIterator<string> {
    for (const [n] of this.entries()) yield n;
  }

  *values(): IterableIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return 'Headers';
  }
}

function checked(name: string, value: string): [string, string] {
  const n = String(name);
  if (!TOKEN.test(n)) throw new TypeError(`Headers: "${n.replace(/[^\x21-\x7e]/g, '?').slice(0, 64)}" is not a valid header name.`);
  const v = String(value).replace(EDGE_WHITESPACE, '');
  if (FORBIDDEN_IN_VALUE.test(v)) throw new TypeError(`Headers: the value of ${n} holds CR, LF or NUL.`);
  return [n.toLowerCase(), v];
}

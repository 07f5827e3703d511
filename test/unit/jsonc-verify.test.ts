/**
 * The verification of a JSONC edit (json/entries.ts `edited`): one parse of the new text, then a check
 * along the path (every object keeps its keys, the entry reads back as written) instead of a whole-tree
 * deep compare. These tests hand it wrong splices, as a bug in the splice code would make them, and
 * hold that each is refused with nothing returned, and that a right one passes.
 */
import { describe, expect, test } from 'vitest';
import { ConfigParseError, UnsafeEditError } from '../../src/errors.js';
import { edited } from '../../src/edit/json/entries.js';
import { JSONC, STRICT_JSON, parseJson } from '../../src/edit/json/parse.js';
import { MAX_DEPTH } from '../../src/edit/types.js';
import { setJsonEntry } from '../../src/edit/json.js';

const TEXT = `{
  // servers
  "servers": {
    "a": { "type": "http", "url": "https://a/" }, /* b: */
    "b": { "type": "http", "url": "https://b/" }
  },
  "inputs": []
}
`;
const ENTRY = { type: 'http', url: 'https://new/' };
const doc = () => parseJson(TEXT, 'mcp.json', JSONC);
const at = (needle: string) => TEXT.indexOf(needle);
const refused = (fn: () => unknown) => expect(fn).toThrow(UnsafeEditError);

describe('a JSONC edit is verified along its path', () => {
  test('the right splice passes and its result is the next document', () => {
    const off = at('"b": {') + '"b": { "type": "http", "url": "https://b/" }'.length;
    const r = edited(doc(), [{ offset: off, length: 0, content: `,\n    "n": ${JSON.stringify(ENTRY)}` }], ['servers', 'n'], ENTRY, {});
    expect(r.after().value).toEqual({ servers: { a: { type: 'http', url: 'https://a/' }, b: { type: 'http', url: 'https://b/' }, n: ENTRY }, inputs: [] });
  });

  test('a splice into a comment: the entry does not read back', () => {
    refused(() => edited(doc(), [{ offset: at('servers\n') + 7, length: 0, content: `, "n": ${JSON.stringify(ENTRY)}` }], ['servers', 'n'], ENTRY, {}));
    refused(() => edited(doc(), [{ offset: at('b: */'), length: 0, content: `"n": ${JSON.stringify(ENTRY)},` }], ['servers', 'n'], ENTRY, {}));
  });

  test('a splice that also adds, drops or duplicates a key of an object on the path', () => {
    const end = at('"b": {') + '"b": { "type": "http", "url": "https://b/" }'.length;
    // one key more in the container
    refused(() => edited(doc(), [{ offset: end, length: 0, content: `, "n": ${JSON.stringify(ENTRY)}, "x": 1` }], ['servers', 'n'], ENTRY, {}));
    // a sibling entry replaced by the new one (same key count, other keys)
    refused(() =>
      edited(
        doc(),
        [{ offset: at('"b": {'), length: 1 + '"b": { "type": "http", "url": "https://b/" }'.length - 1, content: `"n": ${JSON.stringify(ENTRY)}` }],
        ['servers', 'n'],
        ENTRY,
        {},
      ),
    );
    // the key written twice (the set of keys is right, their number is not)
    refused(() => edited(doc(), [{ offset: end, length: 0, content: `, "n": 1, "n": ${JSON.stringify(ENTRY)}` }], ['servers', 'n'], ENTRY, {}));
    // a top-level key added beside the container
    refused(() => edited(doc(), [{ offset: end, length: 0, content: `, "n": ${JSON.stringify(ENTRY)} }, "y": { "z": 1` }], ['servers', 'n'], ENTRY, {}));
  });

  test('a value that does not read back as written, and a text that does not parse', () => {
    const end = at('"b": {') + '"b": { "type": "http", "url": "https://b/" }'.length;
    refused(() => edited(doc(), [{ offset: end, length: 0, content: `, "n": {"type": "http"}` }], ['servers', 'n'], ENTRY, {}));
    refused(() => edited(doc(), [{ offset: end, length: 0, content: `, "n": ${JSON.stringify(ENTRY)}}` }], ['servers', 'n'], ENTRY, {}));
    refused(() => edited(doc(), [{ offset: end, length: 0, content: ` "n": ${JSON.stringify(ENTRY)}` }], ['servers', 'n'], ENTRY, {}));
  });

  test('a removal that takes a neighbour too, or leaves the entry', () => {
    const a = at('"a": {');
    const bEnd = at('"b": {') + '"b": { "type": "http", "url": "https://b/" }'.length;
    refused(() => edited(doc(), [{ offset: a, length: bEnd - a, content: '' }], ['servers', 'b'], undefined, {}));
    refused(() => edited(doc(), [{ offset: a, length: at('"b": {') - a, content: '' }], ['servers', 'b'], undefined, {}));
  });
});

describe('the deep-nesting pass runs when the text could be that deep', () => {
  test('brackets in strings and comments past MAX_DEPTH: the exact pass runs and lets a shallow file through', () => {
    const text = `{ // ${'['.repeat(MAX_DEPTH)}\n "s": "${'{'.repeat(MAX_DEPTH)}", "servers": {} }`;
    expect(setJsonEntry(text, 'f', JSONC, ['servers'], 'n', ENTRY).text).toContain('"n"');
  });
});

/**
 * Strict JSON: where the splice lies inside an object below the root, the old text is proved valid
 * (whole) and the object's new text alone is parsed (json/entries.ts verifyStrict). The same wrong
 * splices, inside a container two levels down, are refused; so is an old text that does not parse
 * outside the container, with its own line:column.
 */
describe('a strict-JSON edit is verified on the new text of the object it changes', () => {
  const STRICT = `{
  "projects": {
    "/p": {
      "mcpServers": {
        "a": { "type": "http", "url": "https://a/" },
        "b": { "type": "http", "url": "https://b/" }
      },
      "history": ["ü", "x"]
    }
  },
  "tail": [1, 2]
}
`;
  const PATH = ['projects', '/p', 'mcpServers'];
  const sdoc = (text = STRICT) => parseJson(text, '.claude.json', STRICT_JSON, { deferCheck: true });
  const end = STRICT.indexOf('"b": {') + '"b": { "type": "http", "url": "https://b/" }'.length;

  test('the right splice passes; its result is the next document', () => {
    const r = edited(sdoc(), [{ offset: end, length: 0, content: `,\n        "n": ${JSON.stringify(ENTRY)}` }], [...PATH, 'n'], ENTRY, {});
    expect(JSON.parse(r.text).projects['/p'].mcpServers.n).toEqual(ENTRY);
    expect(r.after().value).toEqual(JSON.parse(r.text));
  });

  test('wrong splices inside the container are refused', () => {
    const wrong = [
      `, "n": ${JSON.stringify(ENTRY)}, "x": 1`, // a key more
      `, "n": 1, "n": ${JSON.stringify(ENTRY)}`, // the key twice
      `, "n": ${JSON.stringify(ENTRY)} }, "y": { "z": 1`, // out of the container and back in
      `, "n": {"type": "http"}`, // does not read back
      `, "n": ${JSON.stringify(ENTRY)}}`, // does not parse
      ` "n": ${JSON.stringify(ENTRY)}`, // no comma
    ];
    for (const content of wrong) refused(() => edited(sdoc(), [{ offset: end, length: 0, content }], [...PATH, 'n'], ENTRY, {}));
    const a = STRICT.indexOf('"a": {');
    refused(() => edited(sdoc(), [{ offset: a, length: end - a, content: '' }], [...PATH, 'b'], undefined, {}));
  });

  test('an old text that does not parse outside the container is refused as such, with its line:column', () => {
    const broken = STRICT.replace('[1, 2]', '[1, 2,]');
    const e = (() => {
      try {
        edited(sdoc(broken), [{ offset: end, length: 0, content: `,\n        "n": ${JSON.stringify(ENTRY)}` }], [...PATH, 'n'], ENTRY, {});
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(ConfigParseError);
    expect((e as ConfigParseError).line).toBe(11);
  });
});

/** The TOML editor: scan (toml/scan.ts), render (toml/render.ts), verified table edits (toml/edit.ts). */
export { parseToml, scanToml, type TomlStatement } from './toml/scan.js';
export { renderTomlKey, renderTomlString, renderTomlTable, TomlRenderError } from './toml/render.js';
export { detectEol, isExactChange, parseTomlDoc, removeTomlTable, removeTomlTableIn, setTomlTable, setTomlTableIn, tomlValuesEqual, type TomlDoc } from './toml/edit.js';

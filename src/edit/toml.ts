/** The TOML editor: scan (toml/scan.ts), render (toml/render.ts), verified table edits (toml/edit.ts). */
export { parseToml, scanToml } from './toml/scan.js';
export { renderTomlTable } from './toml/render.js';
export { isExactChange, removeTomlTable, setTomlTable, tomlValuesEqual } from './toml/edit.js';

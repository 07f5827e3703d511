/** mcpwire's version: package.json's, bundled in at build time (one source, never a copy). */
import pkg from '../package.json' with { type: 'json' };

export const VERSION: string = pkg.version;

#!/usr/bin/env node
// Launcher: starts the bundled CLI; nothing else.
import module from 'node:module';

module.enableCompileCache?.();
const { main } = await import('../dist/cli.js');
await main();

// A BROWSER for the end-to-end login test: append the address mcpwire asks to open to the file named
// first, one per line; the test drives a real headless Chromium to it.
require('node:fs').appendFileSync(process.argv[2], `${process.argv[3]}\n`);

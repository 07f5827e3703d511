// A BROWSER for the callback-page test: follow the redirects from the address mcpwire opens (the last
// argument) and write the page the browser would show, with its status, to the file named first.
const [out, url] = process.argv.slice(2);
fetch(url, { redirect: 'follow' })
  .then(async (r) => require('node:fs').writeFileSync(out, `${r.status}\n${await r.text()}`))
  .catch((e) => require('node:fs').writeFileSync(out, `error ${e}`));

// A preload (NODE_OPTIONS=--require) that makes the work between an MCP request's creation and its
// sending slow, as on a loaded machine (the SDK validates and serializes a request after arming its
// own timer for it, and its first request compiles the code that does so): the first JSON.stringify of
// a JSON-RPC request takes SLOW_FIRST_REQUEST_MS (default 800) more. Doctor must still name a server
// that never answers as silent, whichever timer ends the wait.
const ms = Number(process.env.SLOW_FIRST_REQUEST_MS ?? 800);
const stringify = JSON.stringify;
let slowed = false;
JSON.stringify = function (value, ...rest) {
  if (!slowed && value && typeof value === 'object' && value.jsonrpc === '2.0' && typeof value.method === 'string') {
    slowed = true;
    const until = Date.now() + ms;
    while (Date.now() < until);
  }
  return stringify.call(this, value, ...rest);
};

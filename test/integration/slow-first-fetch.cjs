// A preload (NODE_OPTIONS=--require) that makes Node's fetch slow to load, as on a loaded machine:
// the first touch of fetch, Headers, Request or Response (Node loads undici then, ~40-50 ms on an
// idle machine, seconds on a busy one) takes SLOW_FIRST_FETCH_MS (default 800) more. Doctor must
// not blame that on the server it checks. SLOW_FIRST_FETCH_TRACE=1 prints where that first touch was.
const ms = Number(process.env.SLOW_FIRST_FETCH_MS ?? 800);
let slowed = false;
for (const name of ['fetch', 'Headers', 'Request', 'Response']) {
  const d = Object.getOwnPropertyDescriptor(globalThis, name);
  if (!d || !d.configurable) continue;
  const read = () => (d.get ? d.get.call(globalThis) : d.value);
  Object.defineProperty(globalThis, name, {
    configurable: true,
    enumerable: d.enumerable,
    get() {
      const v = read();
      if (!slowed) {
        slowed = true;
        if (process.env.SLOW_FIRST_FETCH_TRACE) process._rawDebug(name + ' first touched at\n' + new Error().stack);
        const until = Date.now() + ms;
        while (Date.now() < until);
      }
      return v;
    },
    set(v) {
      Object.defineProperty(globalThis, name, { configurable: true, enumerable: d.enumerable, writable: true, value: v });
    },
  });
}

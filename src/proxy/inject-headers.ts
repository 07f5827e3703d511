// Injected into dist/mcpsdk.cjs by scripts/build.mjs: the SDK's `Headers` there is this one.
export { LightHeaders as Headers } from './http-headers.js';

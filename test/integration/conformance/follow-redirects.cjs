// A "browser" for the conformance harness: visit the URL and follow redirects (the mock
// authorization server answers 302 to mcpwire's loopback redirect URI at once).
fetch(process.argv[2], { redirect: 'follow' })
  .then((r) => r.arrayBuffer())
  .catch(() => {});

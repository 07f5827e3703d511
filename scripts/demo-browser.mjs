// The demo's browser: mcpwire opens the sign-in address with it (BROWSER="node demo-browser.mjs", the
// address last). With MCPWIRE_DEMO_CHROMIUM set to a Chromium binary, a real headless Chromium loads
// the consent page and clicks Allow; otherwise a stand-in reads the same page and submits its form.
// Either way the answer reaches mcpwire's loopback listener as the redirect a browser follows.
const url = process.argv[process.argv.length - 1];
const chromiumPath = process.env.MCPWIRE_DEMO_CHROMIUM;

async function withChromium() {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    await Promise.all([page.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback/), page.click('#allow')]);
    await page.waitForLoadState('load');
  } finally {
    await browser.close();
  }
}

async function standIn() {
  const page = await fetch(url);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no consent form on the sign-in page');
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(
      m[1],
      m[2].replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n))),
    );
  fields.set('decision', 'allow');
  // The consent answer redirects to mcpwire's loopback address: followed, as a browser would.
  await fetch(new URL(action, page.url), { method: 'POST', body: fields, redirect: 'follow' });
}

(chromiumPath ? withChromium() : standIn()).catch((e) => {
  process.stderr.write(`demo browser: ${e.message}\n`);
  process.exit(1);
});

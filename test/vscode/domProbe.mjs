// Answers the suite's webview probes: a test writes <name>.probe holding {"view": "plan"} (and optionally "click": a
// CSS selector to click first, as a user would; "post": messages the page sends to the extension as its own script
// would, through the channel acquireVsCodeApi().postMessage uses); this reads the DOM of the webview whose <body data-view> matches (webviews are nested frames: iframe.webview.ready, then #active-frame) and
// writes <name>.probe.json, or <name>.probe-error with what went wrong. The extension host cannot see webview DOM.
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Runs in the webview's frame: every element marked data-probe, with its data, text and the colours it shows. */
function snapshot() {
  const elements = [...document.querySelectorAll('[data-probe]')].map((element) => {
    const style = getComputedStyle(element);
    return {
      ...element.dataset,
      text: element.textContent.replace(/\s+/g, ' ').trim(),
      stroke: style.stroke,
      fill: style.fill,
      color: style.color,
      background: style.backgroundColor,
      swatch: style.getPropertyValue('--swatch').trim(),
    };
  });
  const csp = document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content') ?? null;
  const scripts = [...document.scripts].map((script) => ({
    type: script.type || 'text/javascript',
    src: script.getAttribute('src') ?? '',
    nonce: script.nonce !== '',
  }));
  return {
    view: document.body.dataset.view,
    theme: document.body.className,
    background: getComputedStyle(document.body).backgroundColor,
    csp,
    scripts,
    elements,
  };
}

async function probe(page, { view, click, post }) {
  for (const frame of page.frames()) {
    const found = await frame.evaluate(() => document.body?.dataset.view).catch(() => undefined);
    if (found !== view) continue;
    if (click) await frame.locator(click).first().click({ timeout: 5000 });
    // The page's frame loses window.parent once its script has the API; its host frame keeps the channel.
    if (post) await frame.parentFrame().evaluate((messages) => messages.forEach((message) => window.__vscode_post_message__('onmessage', { message })), post);
    return frame.evaluate(snapshot);
  }
  const frames = await Promise.all(
    page.frames().map(async (f) => {
      const state = await f
        .evaluate(() => ({ ready: document.readyState, controlled: !!navigator.serviceWorker?.controller, frames: document.querySelectorAll('iframe').length }))
        .catch((e) => String(e).slice(0, 60));
      return `${f.url().replace(/\?.*/, '').slice(-40)} ${JSON.stringify(state)}`;
    }),
  );
  throw new Error(`no webview showing the ${view} view is open (frames: ${frames.join(', ')})`);
}

/** Polls the folder for probe requests until the returned stop() is called. */
export function answerProbeRequests(page, dir) {
  let busy = false;
  const timer = setInterval(async () => {
    if (busy) return;
    busy = true;
    try {
      for (const request of readdirSync(dir).filter((f) => f.endsWith('.probe'))) {
        const file = path.join(dir, request);
        try {
          writeFileSync(`${file}.partial`, JSON.stringify(await probe(page, JSON.parse(readFileSync(file, 'utf8')))));
          renameSync(`${file}.partial`, `${file}.json`);
        } catch (err) {
          writeFileSync(`${file}-error`, String(err?.message ?? err));
        }
        rmSync(file, { force: true });
      }
    } finally {
      busy = false;
    }
  }, 100);
  return () => clearInterval(timer);
}

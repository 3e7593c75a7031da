// Writes what the webviews' service worker does to webviews.log, so a blank webview can be explained after the run.
// In code-server each webview registers its own version of the worker that serves webview resources and waits for it
// to take over; the browser lets it take over only when the current version has no request in flight. The log holds
// each version's state changes (from the DevTools protocol) and, from each webview's host page (pre/index.html),
// what it waits for and each resource request with its answer; it ends with the requests never answered.
import { appendFileSync } from 'node:fs';

/** Runs in every frame; only a webview host page is traced (its console lines start with "[webview]"). */
function traceHostPage() {
  if (!location.pathname.endsWith('/webview/browser/pre/index.html') || !navigator.serviceWorker) return;
  const idOf = (url) => /[?&]id=([0-9a-f]{8})/.exec(url ?? '')?.[1] ?? '?';
  const page = idOf(location.search);
  const say = (line) => console.log(`[webview] ${page} ${line}`);
  navigator.serviceWorker.addEventListener('controllerchange', () => say(`controller is now ${idOf(navigator.serviceWorker.controller?.scriptURL)}`));
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data?.channel === 'load-resource')
      say(`load-resource ${event.data.id} ${event.data.path.split('/').pop()} from ${idOf(event.source?.scriptURL)}`);
  });
  // The host page answers through its controller; wrapped only to log the answer, which it passes on unchanged.
  const post = ServiceWorker.prototype.postMessage;
  ServiceWorker.prototype.postMessage = function (message, ...rest) {
    if (message?.channel === 'did-load-resource') say(`did-load-resource ${message.data?.id} ${message.data?.status} to ${idOf(this.scriptURL)}`);
    return post.call(this, message, ...rest);
  };
}

/** Starts tracing `page` into `file`; returns a function that appends and returns the summary (requests never answered). */
export async function traceWebviews(page, file, now) {
  const pending = new Map();
  const write = (line) => appendFileSync(file, `${now()} ${line}\n`);
  page.on('console', (message) => {
    const text = message.text();
    if (text.startsWith('Found unexpected service worker controller') || text.startsWith('No service worker controller')) {
      write(`${/[?&]id=([0-9a-f]{8})/.exec(message.location()?.url ?? '')?.[1] ?? '?'} waits for its worker version`);
    }
    if (!text.startsWith('[webview] ')) return;
    write(text.slice('[webview] '.length));
    const asked = /^(\w+) load-resource (\d+) (\S+) from (\w+)/.exec(text.slice(10));
    if (asked) pending.set(`${asked[4]}#${asked[2]}`, `${asked[3]} for page ${asked[1]}, asked at ${now()}`);
    const answered = /did-load-resource (\d+) \S+ to (\w+)/.exec(text);
    if (answered) pending.delete(`${answered[2]}#${answered[1]}`);
  });
  await page.context().addInitScript(traceHostPage);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('ServiceWorker.enable');
  const last = new Map();
  cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }) => {
    for (const v of versions) {
      const state = `${v.status} ${v.runningStatus}, ${v.controlledClients?.length ?? 0} clients`;
      if (last.get(v.versionId) === state) continue;
      last.set(v.versionId, state);
      write(`worker version ${v.versionId} (${/[?&]id=([0-9a-f]{8})/.exec(v.scriptURL)?.[1] ?? 'workbench'}): ${state}`);
    }
  });
  return () => {
    const summary = pending.size
      ? `webview resource requests never answered: ${[...pending.values()].join('; ')}`
      : 'every webview resource request was answered';
    write(summary);
    return summary;
  };
}

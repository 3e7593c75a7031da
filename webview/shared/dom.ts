/** Attributes of an element built by `h`: strings become attributes, functions event listeners (`onclick`…). */
export type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

const svgNamespace = 'http://www.w3.org/2000/svg';
const svgTags = new Set(['svg', 'g', 'rect', 'path', 'text', 'title', 'defs', 'marker', 'tspan']);

/** Builds an element (HTML, or SVG for SVG tags) with attributes and children; text children are escaped by the DOM. */
export function h(tag: string, attributes: Attributes = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElement & SVGElement {
  const element = (svgTags.has(tag) ? document.createElementNS(svgNamespace, tag) : document.createElement(tag)) as HTMLElement & SVGElement;
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) element.append(child);
  return element;
}

/** Replaces everything in `root` with `content`. */
export function replace(root: Element, ...content: (Node | string)[]): void {
  root.replaceChildren(...content);
}

/**
 * A codicon, drawn with the page's own codicon stylesheet (`large`: the empty states' 32 px). Not `<vscode-icon>`:
 * each of those links the stylesheet again inside its shadow root, and in a browser-hosted VS Code every such link
 * is a request through the webview service worker; a page hidden or closed while one is in flight stalls every
 * webview opened in the next 30 s (see ViewHost.reloadUntilReady).
 */
export function icon(name: string, options: { large?: boolean; label?: string } = {}): HTMLElement & SVGElement {
  const attributes: Attributes = { class: `codicon codicon-${name}${options.large ? ' codicon-large' : ''}` };
  return h(
    'span',
    options.label ? { ...attributes, role: 'img', 'aria-label': options.label, title: options.label } : { ...attributes, 'aria-hidden': 'true' },
  );
}

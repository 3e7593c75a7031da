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

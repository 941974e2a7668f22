/**
 * The console's only way to build DOM: `h(tag, props, ...children)`. Children that are strings
 * become text nodes (never parsed as HTML); there is no innerHTML anywhere in src/web (issue #6
 * item 12: SMS, USSD, names and CSV fields are text). Attributes are set one by one; event
 * handlers are `on*` props; `style` is not accepted (CSP forbids inline styles), use `setVar`.
 */
export type Child = Node | string | number | null | undefined | false | readonly Child[];

export type Props = Record<string, string | number | boolean | null | undefined | EventListener | ((e: never) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props | null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
      else if (k === 'class') el.className = String(v);
      else if (k === 'value' && 'value' in el) (el as HTMLInputElement).value = String(v);
      else if (k === 'checked' && 'checked' in el) (el as HTMLInputElement).checked = Boolean(v);
      else if (k === 'style' || k === 'innerHTML' || k === 'outerHTML' || k === 'srcdoc') throw new Error(`h(): ${k} is not allowed`);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces all children of `el`. */
export function replace(el: Node, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/** Sets a CSS custom property through the CSSOM (allowed by the CSP, unlike style attributes). */
export function setVar(el: HTMLElement, name: string, value: string): HTMLElement {
  el.style.setProperty(name, value);
  return el;
}

/** Only colours we accept from data (operator profiles) reach CSS. */
export function safeColor(c: string | null | undefined): string | null {
  return typeof c === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : null;
}

// Rendered scripts arrive as HTML (Handlebars output, values escaped). Only plain formatting survives here,
// so a template cannot add scripts, links, styles or event handlers to the agent's page.
const ALLOWED = new Set(['P', 'BR', 'STRONG', 'EM', 'B', 'I', 'U', 'UL', 'OL', 'LI', 'SPAN', 'H3', 'H4', 'BLOCKQUOTE', 'MARK']);

function copy(node, into) {
  for (const child of node.childNodes) {
    if (child.nodeType === Node.TEXT_NODE) into.append(document.createTextNode(child.textContent));
    else if (child.nodeType === Node.ELEMENT_NODE) {
      if (ALLOWED.has(child.tagName)) {
        const el = document.createElement(child.tagName.toLowerCase());
        copy(child, el);
        into.append(el);
      } else if (!['SCRIPT', 'STYLE', 'TEMPLATE', 'IFRAME', 'OBJECT'].includes(child.tagName)) {
        copy(child, into);
      }
    }
  }
}

/** Parse untrusted markup in an inert document and return a fragment with allowed tags only, no attributes. */
export function safeFragment(markup) {
  const doc = new DOMParser().parseFromString(`<body>${markup ?? ''}</body>`, 'text/html');
  const frag = document.createDocumentFragment();
  copy(doc.body, frag);
  return frag;
}

/** Plain text with line breaks kept. */
export function textFragment(text) {
  const frag = document.createDocumentFragment();
  String(text ?? '')
    .split(/\n{2,}/)
    .forEach((para) => {
      const p = document.createElement('p');
      para.split('\n').forEach((line, i) => {
        if (i) p.append(document.createElement('br'));
        p.append(document.createTextNode(line));
      });
      frag.append(p);
    });
  return frag;
}

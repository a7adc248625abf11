/**
 * The little XML the server needs: escaping for responses, and a strict parser for the small request
 * documents OSS takes (Delete, CompleteMultipartUpload, VersioningConfiguration, CreateBucketConfiguration).
 * A document that does not parse is the caller's MalformedXML.
 */

export interface XmlElement {
  name: string;
  children: XmlElement[];
  /** Concatenated text directly inside this element, entities decoded. */
  text: string;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

/** Parses a document into its root element; throws on anything malformed. */
export function parseXml(source: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const token = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<\/([^\s>]+)\s*>|<([^\s/>]+)[^>]*?(\/?)>|([^<]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = token.exec(source)) !== null) {
    if (m.index !== consumed) throw new Error('unexpected character');
    consumed = token.lastIndex;
    const [whole, cdata, close, open, selfClose, text] = m;
    const top = stack[stack.length - 1];
    if (cdata !== undefined) {
      if (!top) throw new Error('text outside the root');
      top.text += cdata;
    } else if (close !== undefined) {
      if (!top || top.name !== close) throw new Error(`unexpected </${close}>`);
      stack.pop();
    } else if (open !== undefined) {
      const element: XmlElement = { name: open, children: [], text: '' };
      if (top) top.children.push(element);
      else if (root) throw new Error('two roots');
      else root = element;
      if (selfClose !== '/') stack.push(element);
    } else if (text !== undefined) {
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== '') throw new Error('text outside the root');
    } else if (whole.startsWith('<') && !whole.startsWith('<?') && !whole.startsWith('<!--')) {
      throw new Error('unexpected markup');
    }
  }
  if (consumed !== source.length || stack.length > 0 || !root) throw new Error('unterminated document');
  return root;
}

export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function childText(element: XmlElement, name: string): string | undefined {
  return child(element, name)?.text.trim();
}

/**
 * Reading the few XML answers the fast path gets (ListObjectsV2, CopyObject, errors). S3 sends them flat
 * and well-formed, so elements are found by name and their text unescaped; nothing else is needed.
 */

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with XML's entities and character references replaced. */
export function unescapeXml(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

/** The unescaped text of the first `<name>` element in `xml`, or undefined. */
export function elementText(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`<${name}>`);
  if (open === -1) return xml.includes(`<${name}/>`) ? '' : undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end === -1 ? undefined : unescapeXml(xml.slice(start, end));
}

/** The raw contents of every `<name>…</name>` element in `xml`, in order (not nested in each other). */
export function elements(xml: string, name: string): string[] {
  const found: string[] = [];
  const open = `<${name}>`;
  const close = `</${name}>`;
  for (let at = xml.indexOf(open); at !== -1; at = xml.indexOf(open, at)) {
    const start = at + open.length;
    const end = xml.indexOf(close, start);
    if (end === -1) break;
    found.push(xml.slice(start, end));
    at = end + close.length;
  }
  return found;
}

/**
 * The runbooks are Markdown files under runbooks/; the page shows them as HTML. They are the
 * project's own files, but they are still rendered as text (every character escaped by JSX) with
 * only the constructs they use: headings, paragraphs, lists (one level of nesting), fenced code,
 * inline code, bold and links. A link to another runbook stays on the page.
 */
import type { Child } from 'hono/jsx';

function inline(text: string): Child[] {
  const out: Child[] = [];
  const pattern = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    if (m[1] !== undefined) out.push(<code>{m[1]}</code>);
    else if (m[2] !== undefined) out.push(<strong>{inline(m[2])}</strong>);
    else out.push(<a href={linkTarget(m[4])}>{inline(m[3])}</a>);
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

/** A heading's anchor as GitHub makes it for these runbooks: `## The long-term key that made them` → `the-long-term-key-that-made-them`. */
export function headingSlug(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** `notify-ap.md` → the runbook page; `../README.md#x` and other paths → nowhere outside the page. */
function linkTarget(href: string): string {
  if (/^https?:\/\//.test(href)) return href;
  const runbook = /^(?:\.\/|runbooks\/)?([a-z0-9-]+)\.md(#[\w-]+)?$/.exec(href);
  if (runbook) return `/runbooks/${runbook[1]}${runbook[2] ?? ''}`;
  if (href.startsWith('#')) return href;
  return '#';
}

interface Item {
  text: string;
  children: string[];
}

export function Markdown({ source }: { source: string }) {
  const blocks: Child[] = [];
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
      continue;
    }
    const fence = /^\s*```/.exec(line);
    if (fence) {
      const code: string[] = [];
      i++;
      while (i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i++]);
      i++;
      blocks.push(
        <pre>
          <code>{code.join('\n')}</code>
        </pre>,
      );
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      // The page has its own h1: the runbook's headings start one level lower.
      const level = Math.min(heading[1].length + 1, 6);
      const content = inline(heading[2]);
      // Each heading is a section a message or the containment table may link to (`file.md#slug`).
      const id = headingSlug(heading[2]);
      blocks.push(
        level === 2 ? (
          <h2 id={id}>{content}</h2>
        ) : level === 3 ? (
          <h3 id={id}>{content}</h3>
        ) : level === 4 ? (
          <h4 id={id}>{content}</h4>
        ) : level === 5 ? (
          <h5 id={id}>{content}</h5>
        ) : (
          <h6 id={id}>{content}</h6>
        ),
      );
      i++;
      continue;
    }
    const listStart = /^(\s*)([-*]|\d+\.)\s+/.exec(line);
    if (listStart && listStart[1].length === 0) {
      const ordered = /\d/.test(listStart[2]);
      const items: Item[] = [];
      while (i < lines.length && lines[i].trim()) {
        const l = lines[i];
        const top = /^([-*]|\d+\.)\s+(.*)$/.exec(l);
        if (top) items.push({ text: top[2], children: [] });
        else if (items.length) {
          const nested = /^\s+[-*]\s+(.*)$/.exec(l);
          const last = items[items.length - 1];
          if (nested) last.children.push(nested[1]);
          else if (/^\s*```/.test(l)) {
            // A code block inside an item: shown as its own block after the list.
            break;
          } else if (last.children.length) last.children[last.children.length - 1] += ` ${l.trim()}`;
          else last.text += ` ${l.trim()}`;
        } else break;
        i++;
      }
      const body = items.map((item) => (
        <li>
          {inline(item.text)}
          {item.children.length ? (
            <ul>
              {item.children.map((c) => (
                <li>{inline(c)}</li>
              ))}
            </ul>
          ) : null}
        </li>
      ));
      blocks.push(ordered ? <ol>{body}</ol> : <ul>{body}</ul>);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,6}\s|\s*```|[-*]\s|\d+\.\s)/.test(lines[i])) paragraph.push(lines[i++].trim());
    if (paragraph.length === 0) paragraph.push(lines[i++].trim());
    blocks.push(<p>{inline(paragraph.join(' '))}</p>);
  }
  return <div class="runbook">{blocks}</div>;
}

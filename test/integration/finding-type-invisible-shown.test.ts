/**
 * fg26 item 3: a finding type holding an invisible character (U+200B, U+2060, U+FEFF …) reads as the
 * type it imitates. Since d08e225f status, show and the messages show it escaped; the web page, the AP
 * draft and the HTML report showed it raw, so the FG read "Backdoor:EC2/C&CActivity.B!DNS" there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { findingEvent } from '../support/events.js';
import { ORGANISATION, openCase } from '../support/fg-case.js';
import { pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const TYPE = 'Backdoor:EC2/C&CActivity.B!DNS\u200b\u2060\ufeff';
const INVISIBLE = /[\u200b\u2060\ufeff]/;
const SHOWN = 'C&CActivity.B!DNS\\u200b\\u2060\\ufeff';
const at = '2025-11-27T22:00:00Z';

it('the AP draft, the HTML report and the web page show the type escaped', async () => {
  const c = await openCase({ events: [findingEvent({ id: 'case-1', createdAt: '2025-11-27T21:00:00Z', type: TYPE })] });
  for (const lang of ['nl', 'en']) {
    const draft = await c.cli(['draft', c.id, '--lang', lang], at);
    expect(draft.code, draft.stderr).toBe(0);
    expect(draft.stdout).not.toMatch(INVISIBLE);
    // Markdown escapes the escape's backslash too: it renders as \u200b.
    expect(draft.stdout).toContain('C\\&CActivity.B\\!DNS\\\\u200b\\\\u2060\\\\ufeff');
    const file = join(c.dir, `report-${lang}.html`);
    expect((await c.cli(['report', c.id, '--html', file, '--lang', lang], at)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(INVISIBLE);
    // The summary line, the draft's section and the timeline's "opened" entry.
    expect(html.split(SHOWN.replace('&', '&amp;')).length - 1).toBeGreaterThanOrEqual(3);
  }

  const store = new SqliteIncidentStore(join(c.dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    for (const path of ['/', `/incidents/${c.id}`, `/incidents/${c.id}/draft`, '/register?from=2025-11-01&to=2025-12-01']) {
      const res = await web.get(path, 'en');
      expect(res.status, path).toBe(200);
      // What the page shows: a form's hidden value keeps the type as recorded, to tell what changed since.
      const text = pageText(await res.text());
      expect(text, path).not.toMatch(INVISIBLE);
      expect(text, path).toContain(SHOWN);
    }
  } finally {
    await store.close();
  }
});

/**
 * fg26 item 1: closing is not refused for a step the policy only planned (fg-review3 F6: closing
 * asks only for enforced steps), but the FG's measures taken may say it was done while the record
 * holds it planned. Close names each such step in a warning, the timeline keeps that it closed with
 * them planned, and the register, the draft and the HTML report say so beside the measures taken.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { ORGANISATION, openCase } from '../support/fg-case.js';
import { csrfOf, formBase, pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const FACTS = ['--nature', 'confidentiality', '--categories', 'naam', '--special', 'none', '--subjects', '10-20', '--records', '15'];

describe('closing with a step only planned', () => {
  it('is not refused, names the step in a warning and keeps it beside the measures taken', async () => {
    const c = await openCase();
    const at = '2025-11-27T22:00:00Z';
    // The embedded store only plans: the instance's isolation, and the DNS channel a person's step.
    const planned = (await c.json(['show', c.id], at)).actions.filter((a: { status: string }) => a.status === 'planned');
    expect(planned.map((a: { id: string }) => a.id)).toEqual(['isolate-instance:i-0123456789abcdef0', 'block-dns-channel:i-0123456789abcdef0']);
    const name = 'isolate-instance i-0123456789abcdef0, block-dns-channel i-0123456789abcdef0';
    expect((await c.cli(['assess', c.id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'klantdata', '--by', 'FG'], at)).code).toBe(0);
    expect((await c.cli(['reported', c.id, '--reference', 'M-1', '--by', 'FG'], at)).code).toBe(0);
    const facts = [...FACTS, '--consequences', 'x', '--measures-taken', 'server geïsoleerd', '--by', 'FG'];
    expect((await c.cli(['facts', c.id, ...facts], at)).code).toBe(0);

    const closed = await c.cli(['close', c.id, '--reason', 'klaar', '--follow-up-reason', 'de aanvulling ging per brief', '--by', 'FG'], at);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stderr).toContain(
      "closed with containment still planned, not recorded as carried out: isolate-instance i-0123456789abcdef0, block-dns-channel i-0123456789abcdef0 (a person's step)",
    );
    expect(closed.stderr).toMatch(/beside the measures taken you recorded/);

    const shown = await c.json(['show', c.id], at);
    expect(shown.timeline.at(-1)).toMatchObject({
      kind: 'closed',
      detail: expect.objectContaining({ stillPlanned: planned.map((a: { id: string }) => a.id) }),
    });
    const [row] = await c.json(['register'], at);
    expect(row).toMatchObject({ measuresTaken: 'server geïsoleerd', stillPlanned: `still planned, not recorded as carried out: ${name}` });
    const md = (await c.cli(['register', '--format', 'md'], at)).stdout;
    expect(md).toMatch(/server geïsoleerd; nog gepland, niet als uitgevoerd vastgelegd: [^|]*i-0123456789abcdef0/);
    // And in the column of containment not carried out, which an empty cell read as all done.
    expect(md.split('\n').at(-1)?.split(' | ').at(-1)).toMatch(
      /^EC2-instantie isoleren i-0123456789abcdef0 \(gepland, niet uitgevoerd\); DNS-kanaal afsluiten i-0123456789abcdef0 \(gepland, niet uitgevoerd\) \|$/,
    );
    const draft = (await c.cli(['draft', c.id, '--lang', 'en'], at)).stdout;
    expect(draft).toMatch(/server geïsoleerd; still planned, not recorded as carried out: /);
    const file = join(c.dir, 'report.html');
    expect((await c.cli(['report', c.id, '--html', file, '--lang', 'en'], at)).code).toBe(0);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/server geïsoleerd; still planned, not recorded as carried out: /);
    expect(html).toMatch(/Closed: klaar; still planned, not recorded as carried out: /);
  });

  it('says nothing when every step was carried out or decided against', async () => {
    const c = await openCase();
    const at = '2025-11-27T22:00:00Z';
    for (const a of (await c.json(['show', c.id], at)).actions) {
      expect((await c.cli(['not-done', c.id, '--action', a.id, '--reason', 'gedeelde server', '--by', 'FG'], at)).code).toBe(0);
    }
    expect((await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testserver', '--by', 'FG'], at)).code).toBe(0);
    const closed = await c.cli(['close', c.id, '--reason', 'klaar', '--by', 'FG'], at);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stderr).toBe('');
    expect((await c.json(['show', c.id], at)).timeline.at(-1).detail).not.toHaveProperty('stillPlanned');
    const [row] = await c.json(['register'], at);
    expect(row.stillPlanned).toBeNull();
  });
});

it('on the web page, closing names the steps still planned in its message, and the timeline keeps them', async () => {
  const c = await openCase();
  const at = '2025-11-27T22:00:00Z';
  expect((await c.cli(['assess', c.id, '--personal-data', 'no', '--risk', 'none', '--reason', 'testserver', '--by', 'FG'], at)).code).toBe(0);
  const store = new SqliteIncidentStore(join(c.dir, 'store'));
  try {
    const web = inProcessWebApp({ store, policy: parsePolicy({ organisation: ORGANISATION }), now: () => new Date(at).toISOString() });
    const html = await (await web.get(`/incidents/${c.id}`, 'nl')).text();
    const res = await web.post(`/incidents/${c.id}/close`, { _csrf: csrfOf(html), ...formBase(html, 'close'), reason: 'klaar' }, 'nl');
    expect(res.status).toBe(303);
    const page = pageText(await (await web.get(res.headers.get('location') as string, 'nl')).text());
    expect(page).toContain(
      'Let op: gesloten met inperking die nog gepland staat en niet als uitgevoerd is vastgelegd: EC2-instantie isoleren i-0123456789abcdef0, DNS-kanaal afsluiten i-0123456789abcdef0.',
    );
    expect(page).toMatch(/Gesloten: klaar; nog gepland, niet als uitgevoerd vastgelegd: EC2-instantie isoleren i-0123456789abcdef0/);
  } finally {
    await store.close();
  }
});

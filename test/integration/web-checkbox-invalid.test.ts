/**
 * A refused checkbox is marked invalid and tied to its error, as every other field is (review 6,
 * W5; WCAG 3.3.1, 4.1.2): a screen reader announces the box itself as invalid, not only the error
 * summary. The confirmation box of an after-close change, and each box of a group of choices.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FgDeps } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { closedAfterReport, incidentFixture } from '../support/incidents.js';
import { csrfOf, formBase } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } });

/** The attributes of every checkbox named `name` in the form `form`. */
function boxes(html: string, form: string, name: string): Record<string, string>[] {
  const body = new RegExp(`<form [^>]*id="${form}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  return [...body.matchAll(/<input ([^>]*)>/g)]
    .map((m) => Object.fromEntries([...m[1].matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])))
    .filter((a) => a.type === 'checkbox' && a.name === name);
}

describe('a refused checkbox is marked invalid', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let now: string;
  const id = 'dl-box';

  beforeEach(async () => {
    t = tempSqliteStore();
    now = '2026-11-28T08:00:00.000Z';
    const deps: FgDeps = { store: t.store, policy, now: () => now };
    await t.store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    await closedAfterReport(deps, id);
    now = '2026-12-02T10:00:00.000Z';
  });
  afterEach(async () => t.cleanup());

  it('the after-close confirmation posted without its box', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    expect(boxes(html, 'after-close-assess', 'after-close')[0]['aria-invalid']).toBeUndefined();
    const refused = await web.post(`/incidents/${id}/after-close-assess`, {
      _csrf: csrfOf(html),
      ...formBase(html, 'after-close-assess'),
      'personal-data': 'no',
      risk: 'none',
      reason: 'forensisch onderzoek',
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    const [box] = boxes(page, 'after-close-assess', 'after-close');
    expect(box['aria-invalid']).toBe('true');
    expect(box['aria-describedby'].split(' ')).toContain(`${box.id}-error`);
    expect(page).toMatch(new RegExp(`<p class="error" id="${box.id}-error">[^<]*gesloten op`));
  });

  it('a group of choices with a value it does not offer', async () => {
    const web = inProcessWebApp({ store: t.store, policy, now: () => now });
    const html = await (await web.get(`/incidents/${id}`)).text();
    const refused = await web.post(`/incidents/${id}/after-close-facts`, {
      _csrf: csrfOf(html),
      ...formBase(html, 'after-close-facts'),
      nature: 'bogus',
      reason: 'nagekeken',
      'after-close': 'on',
    });
    expect(refused.status).toBe(400);
    const page = await refused.text();
    const group = boxes(page, 'after-close-facts', 'nature');
    expect(group.length).toBeGreaterThan(1);
    for (const box of group) {
      expect(box['aria-invalid']).toBe('true');
      expect(box['aria-describedby'].split(' ')).toContain('f-after-close-facts-nature-error');
    }
    expect(page).toContain('id="f-after-close-facts-nature-error"');
  });
});

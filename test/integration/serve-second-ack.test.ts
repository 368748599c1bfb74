/**
 * A second acknowledgement on the web page: the incident was acknowledged already (Anna, at the
 * pager), and the alert the pager raised again after that is still paging. The page offers the
 * acknowledge form again, saying so, to whoever that alert pages (as the page's link and `datalek
 * ack` do); a form loaded before Anna's acknowledgement arrived sends the same. The flash must say
 * that the incident had been taken before and that it is the alert raised again that this
 * acknowledged, not that this person took the incident.
 */
import { describe, expect, it } from 'vitest';
import { recordPagerEvent } from '../../handlers/core/pager.js';
import { AT, annas, lostAcknowledgement, PAGERDUTY } from '../support/pager-incident.js';
import { csrfOf, pageText } from '../support/serve.js';
import { inProcessWebApp } from '../support/web-app.js';

const flashOf = (html: string) => pageText(/<p class="flash" role="status">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '').trim();

describe('the flash after a second acknowledgement on the web page', () => {
  for (const [lang, taken, again] of [
    [
      'nl',
      'Het was al eerder opgepakt; de melding die de pager daarna opnieuw gaf, is nu ook opgepakt en stopt daar.',
      'Al opgepakt door Anna Jansen (PagerDuty); de pager gaf de melding daarna opnieuw (2026-11-27 22:35 CET) en die gaat nog af. Pak die melding hier op; het incident blijft op naam van Anna Jansen (PagerDuty).',
    ],
    [
      'en',
      'It had been acknowledged before; the alert the pager raised again after that is acknowledged now too and stops there.',
      'Acknowledged by Anna Jansen (PagerDuty) already; the pager raised the alert again after that (2026-11-27 22:35 CET) and it is still paging. Take that alert here; the incident stays acknowledged by Anna Jansen (PagerDuty).',
    ],
  ] as const) {
    it(`names the alert taken, not the incident (${lang})`, async () => {
      const f = await lostAcknowledgement();
      try {
        const clock = { now: AT(35) };
        const web = inProcessWebApp({ store: f.store, policy: PAGERDUTY, now: () => clock.now, actor: 'Bob de Vries' });
        // Bob opens the page while the alert raised again pages and nobody has taken the incident.
        const stale = await (await web.get(`/incidents/${f.id}`, lang)).text();
        expect(stale).toContain('<form class="action" method="post" action="/incidents/');
        expect(stale).toMatch(/id="ack"/);
        // Anna's acknowledgement of the earlier alert arrives; the alert raised again still pages,
        // and whoever it pages can take it on the page too (as from the page's link, or datalek ack).
        await recordPagerEvent(f.deps(36), annas(f.id));
        clock.now = AT(37);
        const fresh = await (await web.get(`/incidents/${f.id}`, lang)).text();
        expect(fresh).toMatch(/<form[^>]*id="ack"/);
        expect(pageText(fresh)).toContain(again);

        clock.now = AT(40);
        const sent = await web.post(`/incidents/${f.id}/ack`, { _csrf: csrfOf(stale), note: '' }, lang);
        expect(sent.status).toBe(303);
        const back = sent.headers.get('location') as string;
        expect(back).toBe(`/incidents/${f.id}?done=ack&alert=1`);
        const page = await (await web.get(back, lang)).text();
        expect(flashOf(page)).toBe(taken);
        // The record says the same: the incident stays Anna's, the alert is Bob's.
        const incident = await f.store.getIncident(f.id);
        expect(incident).toMatchObject({ acknowledgedBy: 'Anna Jansen (PagerDuty)', pager: { state: 'acknowledged', at: AT(40) } });
        expect((await f.store.getTimeline(f.id)).filter((e) => e.kind === 'alert-acknowledged').map((e) => e.actor)).toEqual(['Bob de Vries']);
      } finally {
        await f.cleanup();
      }
    });
  }
});

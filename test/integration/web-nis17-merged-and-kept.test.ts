/**
 * nis17 on the web page:
 * - Item 5: an incident merged into another is closed as merged (core/record-finding.ts mergeInto);
 *   its page still offered the after-close forms (facts, reports, assessment, NIS2, Art. 34), each of
 *   which the merge refusal then rejected ("record this on X"). The page now says it was merged into
 *   X, with a link there, and offers no form; the draft's "record the report" link leads there.
 * - Items 2 and 4: a NIS2 "no" that keeps reports owed says so on the page, in its timeline entry,
 *   and the final report's clock says why it runs.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { assess, recordReport } from '../../handlers/core/fg-workflow.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture, mergedIncidentFixture } from '../support/incidents.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const policy = parsePolicy({ organisation: { name: 'Waterbedrijf Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } }, clocks: { nis2: true } });

describe('nis17 on the web page', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let now: string;
  let app: ReturnType<typeof inProcessWebApp>;
  const deps = () => ({ store, policy, now: () => now });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    now = '2026-11-28T10:00:00.000Z';
    app = inProcessWebApp({ store, policy, now: () => now });
  });
  afterEach(async () => cleanup());

  it('item 5: a merged incident says where it was merged and offers no after-close form', async () => {
    await store.commit({ incident: incidentFixture({ id: 'dl-survivor' }), expectedRevision: null, timeline: [], messages: [] });
    const merged = mergedIncidentFixture('dl-merged', 'dl-survivor');
    await store.commit({ incident: merged, expectedRevision: null, timeline: [], messages: [] });
    for (const lang of ['nl', 'en'] as const) {
      const html = await (await app.get('/incidents/dl-merged', lang)).text();
      // Before the fix: the after-close forms (facts, reports, assessment, Art. 34 …), each refused on posting.
      expect(html).not.toMatch(/action="\/incidents\/dl-merged\/after-close/);
      expect(html).toContain('href="/incidents/dl-survivor"');
      expect(pageText(html)).toMatch(
        lang === 'nl'
          ? /Samengevoegd met dl-survivor ?: het datalek staat daar, met zijn termijnen; leg daar vast wat volgt\./
          : /Merged into dl-survivor ?: the breach is recorded there, with its clocks; record what follows there\./,
      );
    }
    const draft = await (await app.get('/incidents/dl-merged/draft?lang=nl', 'nl')).text();
    expect(draft).not.toMatch(/href="\/incidents\/dl-merged#after-close/);
    // The survivor, closed or open, keeps its own forms.
    expect(await (await app.get('/incidents/dl-survivor', 'nl')).text()).toMatch(/action="\/incidents\/dl-survivor\/facts"/);
  });

  it('items 2 and 4: the "no" says what it keeps owed, and the final report clock says why', async () => {
    const id = 'dl-web-kept';
    await store.commit({ incident: incidentFixture({ id }), expectedRevision: null, timeline: [], messages: [] });
    now = '2026-11-27T22:00:00.000Z';
    await assess(deps(), { incidentId: id, nis2Significant: true, reason: 'uitval drinkwater', by: 'CISO' });
    now = '2026-11-28T08:00:00.000Z';
    for (const to of ['csirt', 'authority'] as const)
      await recordReport(deps(), { incidentId: id, to, kind: 'notification', reference: `N-${to}`, by: 'CISO', at: '2026-11-28T07:00:00.000Z' });
    now = '2026-11-28T09:00:00.000Z';
    await assess(deps(), { incidentId: id, nis2Significant: false, reason: 'toch niet significant', by: 'CISO' });
    const text = pageText(await (await app.get(`/incidents/${id}`, 'nl')).text());
    expect(text).toContain(
      'het eindverslag (verschuldigd sinds de incidentmelding van 2026-11-28 08:00 CET, uiterlijk 2026-12-28 23:59 CET) blijft verschuldigd: een "nee" beëindigt niet wat de CSIRT is gemeld of heeft gevraagd (NIS2 art. 23(4)(c), (d))',
    );
    expect(text).toContain('verschuldigd sinds de incidentmelding van 2026-11-28 08:00 CET; een "nee" beëindigt het niet (NIS2 art. 23(4)(d))');
  });
});

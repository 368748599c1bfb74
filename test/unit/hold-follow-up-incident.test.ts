/**
 * fgsec11 S3: `minimise ID --hold` (review9 S5) keeps an incident's findings past the retention
 * period: a complaint, a court case, the AP's question still open. When GuardDuty shows the same
 * finding active again after closing, a follow-up incident opens and the finding record moves to it
 * (record-finding.ts; minimise.ts `minimiseIncident` skips rows that "moved on to another incident:
 * that one's to keep or minimise"). The follow-up's own closing then decides alone: `keptBecause`
 * looks at the holder's `followUps` and `linked`, never at `followUpOf`, so the held incident's hold
 * is not read and the finding it holds (the evidence the complaint is about) is minimised.
 * The same holds for a hold on an incident merged into another: `heldBack(holder)` reads only the
 * survivor's hold (not tested here).
 */
import { describe, expect, it } from 'vitest';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { FindingRecord, Incident } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { releaseHold } from '../../handlers/core/retention-hold.js';
import { findingEvent } from '../support/events.js';
import { closedHeldIncident, HELD_FINDING } from '../support/held-incident.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

describe('fgsec11 S3: a retention hold on an incident whose finding moved on to a follow-up', () => {
  it('keeps the held finding when the follow-up incident is minimised', async () => {
    const t = tempSqliteStore();
    const { store } = t;
    try {
      // A complaint: the FG holds the findings of a closed incident.
      const { clock, deps, held, key } = await closedHeldIncident(store);

      // The same finding active again after closing: a follow-up incident, which takes the record.
      clock.now = '2026-02-01T10:00:00.000Z';
      const again = findingEvent({ ...HELD_FINDING, updatedAt: '2026-02-01T09:55:00Z', count: 5 });
      const followUp = (await recordEvent(deps, again)).incidentId as string;
      expect(followUp).not.toBe(held);
      expect(((await store.getIncident(followUp)) as Incident).followUpOf).toMatchObject({ incidentId: held });
      await assess(deps, { incidentId: followUp, personalData: 'no', risk: 'none', reason: 'zelfde activiteit, geen gegevens', by: 'FG' });
      await closeIncident(deps, { incidentId: followUp, reason: 'afgehandeld', by: 'FG' });

      expect(((await store.getFinding(key)) as FindingRecord).minimised).toBeUndefined();
      const at = () => '2026-09-01T00:00:00.000Z';
      await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
      const incident = (await store.getIncident(held)) as Incident;
      expect(incident.retentionHold).toBeDefined();
      // On main: minimised by the follow-up's run, though the incident it was found on is held.
      expect(((await store.getFinding(key)) as FindingRecord).minimised).toBeUndefined();
      // The follow-up's page says its findings are held, by whom and on which incident.
      const web = inProcessWebApp({ store, policy: DEFAULT_POLICY, now: at });
      const page = pageText(await (await web.get(`/incidents/${followUp}`, 'nl')).text());
      expect(page).toContain(
        `De bevindingen die van incident ${held} naar dit vervolgincident zijn gegaan, worden langer bewaard dan de bewaartermijn, besloten door FG`,
      );
      expect(page).toContain('klacht van een betrokkene; de AP vraagt nog');
      // Released there, the run minimises it.
      await releaseHold({ ...deps, now: at }, held, { by: 'FG', reason: 'klacht afgehandeld' });
      await minimiseClosed({ store, audit: store, now: at, machineNow: at }, { by: 'FG', afterDays: 180 });
      expect(((await store.getFinding(key)) as FindingRecord).minimised).toBeDefined();
    } finally {
      await t.cleanup();
    }
  });
});

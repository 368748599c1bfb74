/**
 * review10 K2: a hold placed on an incident that a finding then merged into another keeps its
 * findings (core/minimise.ts holdingIncidents), and the survivor's page says so: part of its
 * evidence is held, by whom, since when and on which incident. The merged copy's page keeps its own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { holdFindings } from '../../handlers/core/retention-hold.js';
import { pageText } from '../support/serve.js';
import { tempSqliteStore } from '../support/store.js';
import { inProcessWebApp } from '../support/web-app.js';

const event = (name: string) => JSON.parse(readFileSync(join(import.meta.dirname, '../../events', name), 'utf8'));

it("shows on the survivor's page the hold on an incident merged into it", async () => {
  const t = tempSqliteStore();
  try {
    const now = '2026-11-27T15:00:00.000Z';
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => now, canEnforce: false };
    const merged = (await recordEvent(deps, event('07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'))).incidentId as string;
    const survivor = (await recordEvent(deps, event('08-s3-bucket-made-public-anonymous-access.json'))).incidentId as string;
    await holdFindings(deps, merged, { by: 'FG', reason: 'Schadeclaim over de gelekte sleutel' });
    await recordEvent(deps, event('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json'));
    expect(((await t.store.getIncident(merged)) as Incident).mergedInto).toBe(survivor);

    const web = inProcessWebApp({ store: t.store, policy: DEFAULT_POLICY, now: () => now });
    const page = async (id: string, lang: 'nl' | 'en') => pageText(await (await web.get(`/incidents/${id}`, lang)).text());
    expect(await page(survivor, 'nl')).toContain(
      `De bevindingen van incident ${merged}, dat in dit incident is samengevoegd, worden langer bewaard dan de bewaartermijn, besloten door FG`,
    );
    expect(await page(survivor, 'en')).toContain(`The findings of incident ${merged}, merged into this one, are kept past the retention period`);
    // The merged copy shows its own hold, and inherits nothing.
    const own = await page(merged, 'nl');
    expect(own).toContain('Schadeclaim over de gelekte sleutel');
    expect(own).not.toContain('dat in dit incident is samengevoegd');
  } finally {
    await t.cleanup();
  }
});

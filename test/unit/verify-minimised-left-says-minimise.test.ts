/**
 * readA19 (after 798548b3): minimise now searches every free text of a finding for e-mail and IP
 * addresses, and verify runs the same search (`personalDataLeft`). So a store upgraded past it finds
 * every record minimised before with an address in `service.additionalInfo` (or another free text
 * the older code did not search) named by `verify`: "says it is minimised, but it still holds
 * personal data at …". Its siblings say what removes it (`datalek minimise ID`); this one said
 * nothing, and read like an edit behind the pipeline to the FG or on-call who runs verify after the
 * upgrade. It now names the command that minimises it again, as they do, and the next run does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FindingRecord } from '../../handlers/core/incident.js';
import { minimiseClosed } from '../../handlers/core/minimise.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { describeProblemNl } from '../../handlers/web/verify-nl.js';
import { storeAdditionalInfoMinimisedAsBefore } from '../support/old-record.js';
import { tempSqliteStore } from '../support/store.js';

const RECORDED_AT = '2026-06-01T03:00:00.000Z';
const NOW = '2026-11-29T00:00:00.000Z';
const ORIGIN = '{"origin":"198.51.100.23"}';

describe('readA19: verify names a record minimised before free text was searched everywhere, and says what minimises it again', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('the problem names datalek minimise ID; the run minimises it again and verify is clean', async () => {
    // As minimise before 798548b3 left it: the title and description searched, additionalInfo not.
    const { id, key } = await storeAdditionalInfoMinimisedAsBefore(t.store, RECORDED_AT, { at: '2026-11-20T00:00:00.000Z', afterDays: 0 }, ORIGIN);

    const before = await verifyStore(t.store, { now: NOW });
    const left = before.problems.filter((p) => p.incidentId === id && p.problem.includes('still holds personal data'));
    expect(left.map((p) => p.problem)).toEqual([
      `says it is minimised, but it still holds personal data at service.additionalInfo.value: left by an earlier release's minimise, which did not look there, unless put back since (then the ledger differs from what the digests anchored: verify --digests); datalek minimise ${id} --by NAME minimises it again`,
    ]);
    // The page's Dutch says so too (a problem without its translation is shown in English).
    const nl = describeProblemNl(left[0] as (typeof left)[number]);
    expect(nl).toContain(`datalek minimise ${id}`);
    expect(nl).not.toContain('Engelse tekst');

    await minimiseClosed({ store: t.store, audit: t.store, now: () => NOW, machineNow: () => NOW }, { by: 'FG', afterDays: 180, only: id });
    expect(JSON.stringify(((await t.store.getFinding(key)) as FindingRecord).detail)).not.toContain('198.51.100.23');
    expect(verifyOk(await verifyStore(t.store, { now: NOW }))).toBe(true);
  });
});

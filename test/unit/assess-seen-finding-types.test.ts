/**
 * The closing note's "Still left" (FG): the page refuses an assessment when a finding of a new type
 * came while it was open (d9077c4), but the CLI's `assess` could not tell: an FG who ran `show` on
 * a miner, then `assess --personal-data no` after an exfiltration finding joined, recorded "no
 * personal data" against a finding she never saw. Now `show` prints the finding types it showed with
 * a token (`--seen`), and `assess` from the command line refuses when the types changed since, or
 * when the incident holds more than one type and the person named neither the token nor the types.
 * One type (the usual case) needs neither: scripts keep working. Core.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import { findingTypesSeen, type Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const MINER = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
const EXFIL = 'Exfiltration:S3/AnomalousBehavior';

describe('assess from the command line and the finding types the person was shown', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  let deps: FgDeps;
  const id = 'dl-seen';
  const stored = async () => (await t.store.getIncident(id)) as Incident;
  const no = { incidentId: id, personalData: 'no' as const, risk: 'none' as const, reason: 'alleen een miner', by: 'FG' };

  beforeEach(async () => {
    t = tempSqliteStore();
    deps = { store: t.store, policy: parsePolicy({}), now: () => '2026-11-28T12:00:00.000Z' };
    await t.store.commit({ incident: incidentFixture({ id, findingType: MINER, findingTypes: [MINER] }), expectedRevision: null, timeline: [], messages: [] });
  });
  afterEach(async () => t.cleanup());

  it('takes the token show printed while the types are as shown, and needs none for a single type', async () => {
    expect((await assess(deps, { ...no, seen: { token: findingTypesSeen(await stored()) } })).assessment?.personalData).toBe('no');
    expect((await assess(deps, { ...no, reason: 'opnieuw', seen: {} })).assessment?.reason).toBe('opnieuw');
  });

  it('refuses when a finding of a new type came after show, naming it, and records nothing', async () => {
    const token = findingTypesSeen(await stored());
    const joined = { ...(await stored()), findingTypes: [EXFIL, MINER] };
    await t.store.commit({ incident: joined, expectedRevision: joined.revision, timeline: [], messages: [] });
    const before = (await stored()).revision;
    await expect(assess(deps, { ...no, seen: { token } })).rejects.toThrow(
      new RegExp(`finding types changed since show printed --seen ${token}: the incident now holds ${MINER}, ${EXFIL}.*datalek show ${id}`),
    );
    await expect(assess(deps, { ...no, seen: { types: [MINER] } })).rejects.toThrow(new RegExp(`not named in --finding-types: ${EXFIL}`));
    await expect(assess(deps, { ...no, seen: {} })).rejects.toThrow(/holds 2 finding types .*--seen .*--finding-types/);
    expect((await stored()).revision).toBe(before);
    // Named, or the new token: recorded.
    expect((await assess(deps, { ...no, seen: { types: [MINER, EXFIL] } })).assessment?.personalData).toBe('no');
    expect((await assess(deps, { ...no, reason: 'opnieuw', seen: { token: findingTypesSeen(await stored()) } })).assessment?.reason).toBe('opnieuw');
  });

  it('leaves the page (no seen given) to its own check', async () => {
    const joined = { ...(await stored()), findingTypes: [EXFIL, MINER] };
    await t.store.commit({ incident: joined, expectedRevision: joined.revision, timeline: [], messages: [] });
    expect((await assess(deps, no)).assessment?.personalData).toBe('no');
  });
});

/**
 * red26 noted, red27: the `--seen` token of an incident of one resource hashed its finding types alone,
 * so the token `show` printed for incident A (a miner and an exfiltration on instance A) was taken by
 * `assess B` (the same two types on instance B): the FG recorded "no personal data" for B having seen A
 * only (Art. 33(1), (5)). The token names its incident now; one printed before that is refused once,
 * saying to run `show` again.
 */
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { assess, type FgDeps } from '../../handlers/core/fg-workflow.js';
import { findingTypesSeen, type Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { incidentFixture } from '../support/incidents.js';
import { tempSqliteStore } from '../support/store.js';

const MINER = 'CryptoCurrency:EC2/BitcoinTool.B!DNS';
const EXFIL = 'Exfiltration:S3/AnomalousBehavior';

let t: ReturnType<typeof tempSqliteStore>;
let deps: FgDeps;
const stored = async (id: string) => (await t.store.getIncident(id)) as Incident;
const no = (incidentId: string, token: string) => ({
  incidentId,
  personalData: 'no' as const,
  risk: 'none' as const,
  reason: 'alleen een miner',
  by: 'FG',
  seen: { token },
});

beforeEach(async () => {
  t = tempSqliteStore();
  deps = { store: t.store, policy: parsePolicy({}), now: () => '2026-11-28T12:00:00.000Z' };
  for (const id of ['dl-a', 'dl-b']) {
    const incident = incidentFixture({ id, findingType: MINER, findingTypes: [MINER, EXFIL] });
    await t.store.commit({ incident, expectedRevision: null, timeline: [], messages: [] });
  }
});
afterEach(async () => t.cleanup());

it('refuses the --seen token show printed for another incident of the same types, naming the incident it was not printed for; nothing is recorded', async () => {
  const shownA = findingTypesSeen(await stored('dl-a'));
  const before = (await stored('dl-b')).revision;
  await expect(assess(deps, no('dl-b', shownA))).rejects.toThrow(/--seen .* was not printed for incident dl-b.*datalek show dl-b/);
  expect((await stored('dl-b')).revision).toBe(before);
  expect((await stored('dl-b')).assessment).toBeUndefined();
  // Each incident's own token is taken.
  expect((await assess(deps, no('dl-a', shownA))).assessment?.personalData).toBe('no');
  expect((await assess(deps, no('dl-b', findingTypesSeen(await stored('dl-b'))))).assessment?.personalData).toBe('no');
});

it('refuses a token printed before tokens named their incident, saying to run show again', async () => {
  // What show printed before: the hash of the sorted types alone (one resource: no resources' part).
  const old = createHash('sha256')
    .update(JSON.stringify([EXFIL, MINER].sort()))
    .digest('hex')
    .slice(0, 8);
  await expect(assess(deps, no('dl-a', old))).rejects.toThrow(/--seen .* was not printed for incident dl-a.*datalek show dl-a/);
  expect(findingTypesSeen(await stored('dl-a'))).not.toBe(old);
});

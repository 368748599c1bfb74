/**
 * law27 (left by law26): the risk raised to high after a complete AP notification. Art. 34 is asked
 * (the subjects' clock runs, closing needs the decision), but nothing asked a follow-up to the AP: the
 * AP holds a notification whose likely consequences (Art. 33(3)(c)) and answer on informing the data
 * subjects (form section 8) were given at a lower risk, and Art. 34(4) lets the AP weigh that
 * communication. Art. 33(4): what could not be given at once follows without undue further delay.
 * Closing now asks the follow-up, or why it is closed without one.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { clocksOf } from '../../handlers/core/clocks.js';
import { assess, closeIncident, decideSubjects, type FgDeps, recordReport } from '../../handlers/core/fg-workflow.js';
import type { Incident } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { reportedCompleteAtRisk } from '../support/risk-raised.js';
import { tempSqliteStore } from '../support/store.js';

const policy = parsePolicy({ organisation: { name: 'Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl', phone: '+31 20 000 0000' } } });
const id = 'dl-risk-raised';

describe('risk raised to high after a complete AP notification', () => {
  let store: SqliteIncidentStore;
  let cleanup: () => Promise<void>;
  let at = '2026-11-27T22:00:00.000Z';
  const deps = (): FgDeps => ({ store, policy, now: () => at });

  beforeEach(async () => {
    ({ store, cleanup } = tempSqliteStore());
    await reportedCompleteAtRisk(deps, id, (t) => {
      at = t;
    });
    at = '2026-11-29T10:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'wachtwoorden zijn buitgemaakt', by: 'FG' });
    at = '2026-11-29T11:00:00.000Z';
    await decideSubjects(deps(), {
      incidentId: id,
      decision: 'inform',
      date: '2026-11-29T10:30:00.000Z',
      channel: 'e-mail',
      text: 'Uw wachtwoord is mogelijk buitgemaakt; wijzig het.',
      reason: 'hoog risico',
      by: 'FG',
    });
    at = '2026-11-29T12:00:00.000Z';
  });
  afterEach(async () => cleanup());

  it('Art. 34 is asked: the subjects decision is needed once the risk is high', async () => {
    const incident = (await store.getIncident(id)) as Incident;
    expect(clocksOf(incident, policy, at).find((c) => c.name === 'subjects')?.status).toBe('met');
  });

  it('does not close without a follow-up to the AP or the reason for none (Art. 33(4))', async () => {
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(
      /risk was assessed high at 2026-11-29 11:00 CET \(2026-11-29T10:00:00.000Z\), after the last report to the AP \(M-1\).*33\(3\)\(c\), \(4\).*--kind follow-up --reference M-1/,
    );
  });

  it('closes once the follow-up is recorded', async () => {
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    expect((await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' })).state).toBe('closed');
  });

  it('closes with the reason for none, kept on the record', async () => {
    const followUpReason = 'de AP is telefonisch ingelicht; zij zag geen aanvulling nodig';
    const closed = await closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason });
    expect(closed.apFollowUpReason).toBe(followUpReason);
  });

  it('asks again when the risk is raised after a follow-up made at a lower risk, and nothing once the AP was told', async () => {
    at = '2026-11-29T13:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'risk', reason: 'toch niet', by: 'FG' });
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    at = '2026-11-29T14:00:00.000Z';
    await assess(deps(), { incidentId: id, personalData: 'yes', risk: 'high', reason: 'toch wel', by: 'FG' });
    // The risk is high again after M-1's follow-up, told at a lower risk: owed once more.
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG' })).rejects.toThrow(/after the last report to the AP/);
    await recordReport(deps(), { incidentId: id, reference: 'M-1', kind: 'follow-up', by: 'FG' });
    await expect(closeIncident(deps(), { incidentId: id, reason: 'afgehandeld', by: 'FG', followUpReason: 'x' })).rejects.toThrow(
      /no follow-up to the AP is owed/,
    );
  });
});

/**
 * Only what was done is a measure taken (Art. 33(3)(d)): an RDS instance that was not publicly
 * accessible was only snapshotted, and the AP draft must not say it was made private (review2
 * attack §15).
 */
import { describe, expect, it } from 'vitest';
import { containmentTaken } from '../../handlers/core/breach-facts.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';

const AT = '2026-11-28T03:00:00.000Z';

function withRds(makePrivate: 'done' | 'skipped'): Incident {
  const action: ActionRecord = {
    id: 'restrict-rds-instance:patientdb-prod',
    type: 'restrict-rds-instance',
    target: 'patientdb-prod',
    status: 'done',
    mode: 'enforce',
    findingId: 'f1',
    at: AT,
    steps: [
      { name: 'capture-database', status: 'done', at: AT },
      { name: 'make-private', status: makePrivate, at: AT, ...(makePrivate === 'skipped' ? { detail: 'not publicly accessible' } : {}) },
      { name: 'snapshot-database', status: 'done', at: AT },
    ],
  };
  return { actions: [action] } as unknown as Incident;
}

describe('measures taken', () => {
  it('name only the snapshot when making the database private was skipped', () => {
    expect(containmentTaken(withRds('skipped'), 'en', 'Europe/Amsterdam')).toEqual([
      'snapshot the RDS database (it was not publicly accessible) patientdb-prod (2026-11-28 04:00 CET)',
    ]);
    expect(containmentTaken(withRds('skipped'), 'nl', 'Europe/Amsterdam')[0]).not.toMatch(/afschermen/);
    expect(containmentTaken(withRds('skipped'), 'en', 'Europe/Amsterdam')[0]).not.toMatch(/private and/);
  });

  it('name both when the database was made private', () => {
    expect(containmentTaken(withRds('done'), 'en', 'Europe/Amsterdam')[0]).toMatch(/^make the RDS database private and snapshot it patientdb-prod/);
  });
});

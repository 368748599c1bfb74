/**
 * rel28: a release recorded as of an IAM user deleted (`released.userDeleted`, `release --user-deleted`)
 * ends what drift reads of the action, for good: a policy left on a user renamed is no longer read. So
 * verify holds the record's word to the timeline's: planted on the record alone (one ledger entry
 * appended after the last digest), with no `containment-released` entry saying so, it is named.
 */
import { describe, expect, it } from 'vitest';
import { checkReleasedAsDeletedAgainstTimeline } from '../../handlers/core/audit-released-as-deleted.js';
import { describeProblemNl } from '../../handlers/web/verify-nl.js';

const TARGET = 'iam-user:5f0c4e2a91b7d3e8';
const action = (released: Record<string, unknown>) => ({
  id: `revoke-user-sessions:${TARGET}`,
  type: 'revoke-user-sessions',
  target: TARGET,
  status: 'done',
  released: { at: '2026-11-28T10:00:00.000Z', by: 'oncall', reason: 'weg', ...released },
});
const entry = (seq: number, detail: Record<string, unknown>) => ({
  seq,
  at: '2026-11-28T10:00:00.000Z',
  kind: 'containment-released',
  actor: 'oncall',
  detail: JSON.stringify({ action: 'revoke-user-sessions', target: TARGET, reason: 'weg', failedSteps: [], ...detail }),
});
const problems = (record: Record<string, unknown>, timeline: ReturnType<typeof entry>[]) => {
  const out: string[] = [];
  checkReleasedAsDeletedAgainstTimeline(record, timeline, (p) => out.push(p));
  return out;
};

describe('a release recorded as of an IAM user deleted, held to the timeline (rel28)', () => {
  it('given by its containment-released entry: nothing named', () => {
    expect(problems({ actions: [action({ userDeleted: true })] }, [entry(7, { userDeleted: true })])).toEqual([]);
  });

  it('a release without it: nothing to hold', () => {
    expect(problems({ actions: [action({})] }, [entry(7, {})])).toEqual([]);
  });

  it('planted on the record, its entry not saying so: named, by place and type (never the target), in Dutch too', () => {
    const found = problems({ actions: [{ id: 'x', type: 'isolate-instance', target: 'i-1', status: 'done' }, action({ userDeleted: true })] }, [entry(7, {})]);
    expect(found).toEqual([
      'its containment action 2 (revoke-user-sessions) reads released as its IAM user deleted, but its timeline gives no such release: it was changed behind the pipeline, and drift no longer reads what a user renamed may still hold',
    ]);
    expect(found[0]).not.toContain(TARGET);
    expect(describeProblemNl({ incidentId: 'dl-1', entry: 'record', problem: found[0] })).not.toContain('(Engelse tekst');
  });

  it('a value that is not true is named as well', () => {
    expect(problems({ actions: [action({ userDeleted: 'yes' })] }, [entry(7, { userDeleted: true })])).toHaveLength(1);
  });
});

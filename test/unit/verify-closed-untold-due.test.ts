/**
 * review11 K1: a containment run stopped after recording its outcome (a Lambda timeout) leaves it
 * untold (`containmentUntold`); its lease runs out and the FG closes the incident (close refuses only
 * while the lease holds). The record keeps a due time: the sweep is to tell the FG and on-call the
 * outcome (schedule.ts `untoldOutcomesDueAt`, whatever the state). Someone with write access to the
 * SQLite file clears `next_due_at`: the sweep never reads the incident again and the outcome is
 * never told. verify names it: the audit holds a closed incident's due column to its record as an
 * open one's (it used to skip it unless a clock was left running at closing).
 */

import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SqliteIncidentStore, STORE_FILE } from '../../handlers/adapters/local/sqlite-store.js';
import { describeProblem } from '../../handlers/core/audit.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { assess, closeIncident } from '../../handlers/core/fg-workflow.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import { verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const POLICY = parsePolicy({ language: 'en', containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
const T = (m: number) => new Date(Date.parse('2026-11-27T10:00:00.000Z') + m * 60_000).toISOString();

describe('a closed incident whose containment outcome is still untold: its due time cleared behind the pipeline', () => {
  let store: SqliteIncidentStore;
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(() => {
    ({ store, dir, cleanup } = tempSqliteStore());
  });
  afterEach(async () => cleanup());

  it('verify names the cleared due time (the sweep would never tell the outcome)', async () => {
    const deps = (m: number) => ({ store, policy: POLICY, now: () => T(m) });
    const event = findingEvent({ id: 'untold-closed', type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0d1e2f30415263748') });
    const id = (await recordEvent({ ...deps(0), canEnforce: false }, event)).incidentId as string;
    // The contain function's commit when it stops after recording the isolation (as sweep-untold-outcomes.test.ts).
    await changeIncident(deps(5), id, (draft) => {
      const a = draft.actions[0] as ActionRecord;
      a.steps = [{ name: 'isolate-eni:eni-0d1e2f30415263748', status: 'done', at: T(5) }];
      a.status = 'done';
      draft.containmentUntold = [a.id];
      draft.containmentLease = { holder: 'run-stopped', until: T(20) };
      return { entries: [{ at: T(5), kind: 'containment-done', detail: { action: a.type, target: a.target, status: 'done' } }] };
    });
    await assess(deps(22), { incidentId: id, personalData: 'no', risk: 'none', reason: 'testserver, geen klantdata', by: 'FG' });
    await closeIncident(deps(25), { incidentId: id, by: 'FG', reason: 'geen datalek' });
    const closed = await store.getIncident(id);
    expect(closed?.state).toBe('closed');
    // The outcome is still owed: the record is due (the sweep would tell it now).
    expect(closed?.containmentUntold).toHaveLength(1);
    expect(closed?.nextDueAt).not.toBeNull();
    expect((await verifyStore(store, { now: T(26) })).problems).toEqual([]);

    // Write access to the file: the due index cleared.
    const db = new Database(join(dir, STORE_FILE));
    db.prepare('UPDATE incidents SET next_due_at = NULL WHERE id = ?').run(id);
    db.close();

    // The sweep no longer reads it: the outcome is never told.
    await sweep({ store, policy: POLICY, now: () => T(30) });
    expect((await store.listMessages(id)).filter((m) => m.kind.startsWith('containment-'))).toEqual([]);
    // verify must name it (it names the same edit on an open incident, and on a closed one with a duty left).
    const verified = await verifyStore(store, { now: T(30) });
    expect(verified.problems.map(describeProblem)).toEqual([`incident ${id}, record: the column nextDueAt (null) does not match the record: it was altered`]);
  });
});

/**
 * red27 #1: verify held no containment action to its timeline once a summary entry (`containment-actions`, more
 * actions planned at once than it lists) or a merge stood in it, so a "done" forged on one it did not name, or an
 * action added, passed. A summary counts what it leaves out by type and status: an action it left out and no entry
 * named since holds one of those statuses, and no more of a type are unnamed than it left out. A merge lists what it
 * moved (record-finding.ts mergeInto); one written before that is not judged (its history is the merged incident's).
 */
import { expect, it } from 'vitest';
import { checkContainmentAgainstTimeline } from '../../handlers/core/audit-record.js';

const row = (seq: number, kind: string, detail: object) => ({ seq, at: '2026-11-28T03:00:00.000Z', kind, actor: 'system', detail: JSON.stringify(detail) });
const isolate = (n: number, status = 'planned') => ({ id: `isolate-instance:i-${n}`, type: 'isolate-instance', target: `i-${n}`, status });
const listed = Array.from({ length: 10 }, (_, n) => ({ action: 'isolate-instance', target: `i-${n}`, status: 'planned' }));
const summary = row(2, 'containment-actions', {
  count: 12,
  types: { 'isolate-instance': 12 },
  statuses: { planned: 12 },
  listed,
  notListed: 2,
});
const problems = (actions: object[], timeline = [row(1, 'incident-opened', {}), summary]) => {
  const out: string[] = [];
  checkContainmentAgainstTimeline({ actions }, timeline, (p) => out.push(p));
  return out;
};
const planned = Array.from({ length: 12 }, (_, n) => isolate(n));

it('takes the actions a summary left out at the statuses and counts it gives, and names one forged or added', () => {
  expect(problems(planned)).toEqual([]);
  expect(problems([...planned.slice(0, 11), isolate(11, 'done')])).toEqual([
    'its containment action 12 (isolate-instance) reads done, but its timeline records no such action: it was added behind the pipeline',
  ]);
  expect(problems([...planned, isolate(12)])).toEqual([
    'its containment action 13 (isolate-instance) reads planned, but its timeline records no such action: it was added behind the pipeline',
  ]);
});

it('holds what a merge lists to the status it came with; a merge written before the list is not judged', () => {
  const merge = (actions?: object[]) => [row(1, 'incident-opened', {}), row(2, 'incidents-merged', { merged: 'dl-other', ...(actions ? { actions } : {}) })];
  const came = [{ action: 'isolate-instance', target: 'i-7', status: 'failed' }];
  expect(problems([isolate(7, 'failed')], merge(came))).toEqual([]);
  expect(problems([isolate(7, 'done')], merge(came))).toEqual([
    expect.stringMatching(/^its containment action 1 \(isolate-instance\) reads done, but its timeline gives failed \(entry 2\)/),
  ]);
  // i-8 added, and i-7, which the merge brought, taken off (atk28 F3): both named.
  expect(problems([isolate(8, 'done')], merge(came))).toEqual([
    expect.stringMatching(/^its timeline gives containment action isolate-instance \(entry 2\), but the record holds no such action: it was taken off/),
    expect.stringMatching(/^its containment action 1 \(isolate-instance\) reads done, but its timeline records no such action/),
  ]);
  expect(problems([isolate(8, 'done')], merge())).toEqual([]);
});

/**
 * Last read's L1 for snapshots, AMIs and recovery points (729dff3 did keys, buckets, functions and
 * objects): one tagged datalek:state=malware-detected already (another incident's containment, whose
 * key holder closed) was tagged again under the next incident, its datalek:incident tag overwritten
 * (the evidence of who found it) and the action recorded done, so that incident's release tagged it
 * released while the first still held it. Its tags are read first now. (moto answers AWS Backup's
 * ListTags from the JavaScript SDK with no tags at all, so the reads are answered here.)
 */
import { expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { tagBackup } from '../../handlers/adapters/aws/containment/malware.js';
import type { ActionRecord, StepRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-30T01:00:00.000Z';
const SNAPSHOT_ARN = 'arn:aws:ec2:eu-west-1::snapshot/snap-0infected';
const POINT_ARN = 'arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7-9EB0-435A-9B6B-0123456789AB';

/** Tags backup `arn` (the action of `type`) under dl-next, its tags as EC2 or AWS Backup answer them (`denied`: the role may not read them). */
async function tag(type: string, arn: string, tags: Record<string, string>, denied = false) {
  const sent: string[] = [];
  const answer = (command: { constructor: { name: string }; input: unknown }) => {
    const name = command.constructor.name;
    sent.push(name);
    if (denied && (name === 'DescribeTagsCommand' || name === 'ListTagsCommand'))
      throw Object.assign(new Error('not authorized'), { name: name === 'ListTagsCommand' ? 'AccessDeniedException' : 'UnauthorizedOperation' });
    if (name === 'DescribeTagsCommand') {
      const keys = (command.input as { Filters: { Name: string; Values: string[] }[] }).Filters.find((f) => f.Name === 'key')?.Values ?? Object.keys(tags);
      return { Tags: Object.entries(tags).flatMap(([Key, Value]) => (keys.includes(Key) ? [{ Key, Value, ResourceId: 'snap-0infected' }] : [])) };
    }
    if (name === 'ListTagsCommand') return { Tags: tags };
    if (name === 'CreateTagsCommand' || name === 'TagResourceCommand') return {};
    throw new Error(`not expected: ${name}`);
  };
  const c = { ec2: { send: async (x: never) => answer(x) }, backup: { send: async (x: never) => answer(x) } } as unknown as ContainmentClients;
  const action: ActionRecord = { id: `${type}:${arn}`, type, target: arn, status: 'planned', mode: 'enforce', findingId: 'f-next', at: NOW, params: { arn } };
  const recorded: { step: StepRecord; evidence?: Record<string, unknown> }[] = [];
  const incident = incidentFixture({ id: 'dl-next' });
  await tagBackup(
    c,
    action,
    incident,
    {
      incident,
      done: new Set(),
      evidence: {},
      recordedGroups: async () => new Map(),
      record: async (step, evidence) => {
        recorded.push({ step, evidence });
      },
    },
    () => NOW,
  );
  return { recorded, sent };
}

const FOUND = { 'datalek:incident': 'dl-first', 'datalek:state': 'malware-detected', afdeling: 'backup' };

it.each([
  ['an EBS snapshot', 'tag-snapshot', SNAPSHOT_ARN, 'CreateTagsCommand'],
  ['a recovery point', 'tag-recovery-point', POINT_ARN, 'TagResourceCommand'],
])('%s tagged malware-detected already is found contained: not tagged again, nothing recorded done', async (_, type, arn, write) => {
  const { recorded, sent } = await tag(type, arn, FOUND);
  expect(recorded).toEqual([{ step: expect.objectContaining({ name: 'tag-backup', status: 'failed', code: 'AlreadyContained' }), evidence: undefined }]);
  expect(recorded[0].step.detail).toContain('malware-detected already');
  // The first incident's tag stays: no write at all.
  expect(sent).not.toContain(write);
});

it('a snapshot released by an earlier incident is tagged, the state found recorded', async () => {
  const { recorded, sent } = await tag('tag-snapshot', SNAPSHOT_ARN, { 'datalek:incident': 'dl-first', 'datalek:state': 'released' });
  expect(recorded[0]).toMatchObject({ step: { name: 'tag-backup', status: 'done' }, evidence: { arn: SNAPSHOT_ARN, previousState: 'released' } });
  expect(sent).toEqual(['DescribeTagsCommand', 'CreateTagsCommand']);
});

it('a role that may not read tags yet tags as before, and says it could not check', async () => {
  const { recorded } = await tag('tag-recovery-point', POINT_ARN, FOUND, true);
  expect(recorded[0]).toMatchObject({ step: { name: 'tag-backup', status: 'done' }, evidence: { arn: POINT_ARN } });
  expect(recorded[0].evidence).not.toHaveProperty('previousState');
  expect(recorded[0].step.detail).toContain('could not be read first');
});

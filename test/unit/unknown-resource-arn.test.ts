/**
 * A resource type this version does not know (atk29 A9): it was shown with the finding's id as if it were the
 * resource's ("DynamoDBTable 9a9a…"), and each finding on it opened its own incident. An ARN the resource's
 * block carries is now its id and correlation key, and the type is said to be unknown to this version.
 */
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../handlers/core/finding.js';
import { resourceKindLabel } from '../../handlers/core/labels.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { verifyOk, verifyStore } from '../../handlers/core/verify-store.js';
import { findingEvent } from '../support/events.js';
import { recordingStore } from '../support/recording.js';

const NOW = '2026-11-28T03:00:00.000Z';
const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/patienten';

const tableEvent = (id: string, block: Record<string, unknown> = { tableName: 'patienten', tableArn: TABLE_ARN }) =>
  findingEvent({ id, type: 'Exfiltration:DynamoDB/AnomalousBehavior', resource: { resourceType: 'DynamoDBTable', dynamoDbTableDetails: block } });

const resourceOf = (event: ReturnType<typeof tableEvent>) => {
  const parsed = parseEvent(event, { now: NOW });
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return parsed.finding.resource;
};

describe('a resource type unknown to this version (atk29 A9)', () => {
  const rec = recordingStore(NOW);

  it('takes the ARN its block carries as its id, and says the type is unknown', () => {
    const resource = resourceOf(tableEvent('t-1'));
    expect(resource).toEqual({ kind: 'unknown', resourceType: 'DynamoDBTable', id: TABLE_ARN });
    expect(resourceKindLabel('en', resource)).toBe('DynamoDBTable (a resource type unknown to this datalek version)');
    expect(resourceKindLabel('nl', resource)).toBe('DynamoDBTable (een resourcetype dat deze datalek-versie niet kent)');
  });

  it("without an ARN it is named by the finding's id, and the label says whose id that is", () => {
    const resource = resourceOf(tableEvent('t-1', { tableName: 'patienten' }));
    expect(resource.id).toBe('t-1');
    expect(resourceKindLabel('en', resource)).toContain("the finding's id, not the resource's: see the finding in GuardDuty");
  });

  it("never takes a principal's ARN (a user name, a session) for the resource, nor another field's ARN before the block's own (finA F1)", () => {
    const user = 'arn:aws:iam::111122223333:user/jan.jansen@example.nl';
    const session = 'arn:aws:sts::111122223333:assumed-role/beheer/jan.jansen';
    const key = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(resourceOf(tableEvent('t-1', { ownerArn: user })).id).toBe('t-1');
    expect(resourceOf(tableEvent('t-1', { ownerArn: session, kmsKeyArn: key })).id).toBe('t-1');
    expect(resourceOf(tableEvent('t-1', { kmsKeyArn: key, tableArn: TABLE_ARN })).id).toBe(TABLE_ARN);
    expect(resourceOf(tableEvent('t-1', { tableArn: user })).id).toBe('t-1');
  });

  it('a second finding on the same table joins the first one’s incident, and the messages name the ARN', async () => {
    const first = await recordEvent(rec.deps(), tableEvent('t-1'));
    const second = await recordEvent(rec.deps(), tableEvent('t-2'));
    expect(second).toMatchObject({ outcome: 'attached', incidentId: first.incidentId });
    const bodies = (await rec.store().listMessages(first.incidentId as string)).map((m) => m.body).join('\n');
    expect(bodies).toContain(TABLE_ARN);
    expect(bodies).not.toContain('DynamoDBTable t-1');
    expect(verifyOk(await verifyStore(rec.store(), { now: NOW }))).toBe(true);
  });
});

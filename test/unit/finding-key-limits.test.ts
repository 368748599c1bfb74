/**
 * review7 K5: what becomes part of a store key (the finding type, every resource id, account and
 * region a finding names) is bounded when the event is parsed, so both stores refuse the same
 * event the same way: by the field's path and its limit, never its value. An attack sequence's
 * resource too long for a key is left out of it and counted instead (review7 Y7).
 */
import { describe, expect, it } from 'vitest';
import { InvalidFindingError } from '../../handlers/core/errors.js';
import { correlationKeys, MAX_TYPE_BYTES, parseEvent } from '../../handlers/core/finding.js';
import { MAX_ID_BYTES } from '../../handlers/core/finding-resources.js';
import { accessKeyResource, credentialSequenceEvent, findingEvent, sequenceDetection } from '../support/events.js';

const NOW = '2026-11-28T00:00:00.000Z';

/** The error parsing `event` throws; fails the test when it parses. */
function refusal(event: unknown): InvalidFindingError {
  try {
    parseEvent(event, { now: NOW });
  } catch (err) {
    if (err instanceof InvalidFindingError) return err;
    throw err;
  }
  throw new Error('the event was accepted');
}

describe('identifiers that become part of a key', () => {
  const long = 'x'.repeat(MAX_ID_BYTES + 1);

  it('refuses a type over its limit by path, limit and no value; takes one at the limit', () => {
    const err = refusal(findingEvent({ type: `Backdoor:EC2/${'B'.repeat(MAX_TYPE_BYTES)}` }));
    expect(err.path).toBe('detail.type');
    expect(err.message).toContain(`at most ${MAX_TYPE_BYTES} bytes`);
    expect(err.message).not.toContain('BBBB');
    const atLimit = `Backdoor:EC2/${'B'.repeat(MAX_TYPE_BYTES - 'Backdoor:EC2/'.length)}`;
    expect(parseEvent(findingEvent({ type: atLimit }), { now: NOW })).toMatchObject({ finding: { type: atLimit } });
  });

  it('counts bytes, not characters: a type of multi-byte characters is refused at the same key size', () => {
    // 83 characters, 293 bytes.
    expect(refusal(findingEvent({ type: `Backdoor:EC2/${'😀'.repeat(70)}` })).path).toBe('detail.type');
  });

  it("refuses a resource's id over the limit", () => {
    expect(refusal(findingEvent({ instanceId: long })).path).toBe('detail.resource.instanceDetails.instanceId');
    expect(refusal(findingEvent({ resource: accessKeyResource(long) })).path).toBe('detail.resource.accessKeyDetails.accessKeyId');
    expect(refusal(findingEvent({ resource: accessKeyResource('AKIAEXAMPLE000000001', 'IAMUser', long) })).path).toBe(
      'detail.resource.accessKeyDetails.userName',
    );
  });

  it("leaves out an attack sequence's resource whose id, account or region is over the limit, and counts it (review7 Y7)", () => {
    const withResource = (change: Record<string, unknown>) => {
      const detection = sequenceDetection();
      Object.assign(detection.sequence.resources[0], change);
      return credentialSequenceEvent({ detection });
    };
    for (const change of [{ uid: long }, { accountId: long }, { region: long }]) {
      const parsed = parseEvent(withResource(change), { now: NOW });
      if (parsed.kind !== 'finding') throw new Error(`parsed as ${parsed.kind}`);
      expect(parsed.finding.sequence?.notListed).toBe(1);
      expect(parsed.finding.related.some((r) => r.kind === 'ec2-instance')).toBe(false);
      expect(correlationKeys(parsed.finding).some((k) => k.includes('xxxxxxxxxx'))).toBe(false);
    }
  });

  it("refuses an actor's ids over the limit", () => {
    const at = 'detail.service.detection.sequence';
    expect(refusal(credentialSequenceEvent({ detection: sequenceDetection({ userName: long }) })).path).toBe(`${at}.actors[0].user.name`);
    expect(refusal(credentialSequenceEvent({ detection: sequenceDetection({ accessKeyId: long }) })).path).toBe(`${at}.actors[0].user.credentialUid`);
  });

  it("takes GuardDuty's longest real ids: an ECS task's ARN with a cluster name of 255 characters", () => {
    const taskArn = `arn:aws:ecs:eu-west-1:111122223333:task/${'c'.repeat(255)}/0123456789abcdef0123456789abcdef`;
    const detection = sequenceDetection();
    detection.sequence.resources.push({ uid: taskArn, accountId: '111122223333', resourceType: 'ECS_TASK', region: 'eu-west-1' } as never);
    const parsed = parseEvent(credentialSequenceEvent({ detection }), { now: NOW });
    expect(parsed.kind === 'finding' && parsed.finding.related.some((r) => r.id === taskArn)).toBe(true);
  });
});

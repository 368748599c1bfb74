import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidFindingError } from '../../handlers/core/errors.js';
import { compareVersions, MAX_EVENT_BYTES, parseEvent, parseEventText, resourceKey } from '../../handlers/core/finding.js';
import { accessKeyResource, bucketResource, findingEvent } from '../support/events.js';

function rejection(value: unknown): InvalidFindingError {
  try {
    parseEvent(value);
  } catch (err) {
    if (err instanceof InvalidFindingError) return err;
    throw err;
  }
  throw new Error('expected the event to be rejected');
}

function finding(value: unknown) {
  const parsed = parseEvent(value);
  if (parsed.kind !== 'finding') throw new Error(`expected a finding, got ${parsed.kind}`);
  return parsed.finding;
}

describe('parsing a GuardDuty event', () => {
  it('reads the finding key, version, resource and flags', () => {
    const f = finding(findingEvent({ id: 'abc', severity: 7.2, count: 3, updatedAt: '2026-11-28T03:00:00Z' }));
    expect(f.key).toEqual({ accountId: '111122223333', region: 'eu-west-1', findingId: 'abc' });
    expect(f.version).toEqual({ updatedAt: '2026-11-28T03:00:00Z', count: 3 });
    expect(f.band).toBe('High');
    expect(f.resource).toEqual({ kind: 'ec2-instance', resourceType: 'Instance', id: 'i-0123456789abcdef0' });
    expect(f.instance?.networkInterfaces.map((n) => n.networkInterfaceId)).toEqual(['eni-0aaa', 'eni-0bbb']);
    expect(f.sample).toBe(false);
  });

  it('names the field path and the reason of a bad field', () => {
    const event = findingEvent({ severity: '8' });
    const err = rejection(event);
    expect(err.path).toBe('detail.severity');
    expect(err.message).toBe('detail.severity: expected a number, got a string');
  });

  it('names a severity past what a number holds (1e400 parses as Infinity) as such, not "got a number" (red26)', () => {
    const text = JSON.stringify(findingEvent()).replace(/"severity":\s*[0-9.]+/, '"severity":1e400');
    expect(text).toContain('"severity":1e400');
    expect(() => parseEventText(text)).toThrow(/^detail\.severity: expected a number, got a number out of range \(past what a double holds\)$/);
  });

  it('names a missing nested field by its full path', () => {
    const event = findingEvent();
    delete (event.detail.resource as { instanceDetails?: unknown }).instanceDetails;
    expect(rejection(event).message).toBe('detail.resource.instanceDetails: required for resourceType Instance');
    const noType = findingEvent();
    delete (noType.detail as { type?: unknown }).type;
    expect(rejection(noType).message).toBe('detail.type: required (string)');
  });

  it('rejects a time without a zone and a severity above 10', () => {
    const event = findingEvent();
    event.detail.createdAt = '2026-11-27 21:00';
    expect(rejection(event).path).toBe('detail.createdAt');
    expect(rejection(findingEvent({ severity: 11 })).message).toBe('detail.severity: must be between 0 and 10');
  });

  it('keeps unknown fields and unknown finding types', () => {
    const event = findingEvent({ type: 'Exfiltration:Bedrock/Future', resource: { resourceType: 'BedrockAgent', bedrockAgentDetails: { agentId: 'A1' } } });
    (event.detail as Record<string, unknown>).brandNew = { nested: [1, 2] };
    const f = finding(event);
    expect(f.type).toBe('Exfiltration:Bedrock/Future');
    expect(f.resource.kind).toBe('unknown');
    expect(f.detail.brandNew).toEqual({ nested: [1, 2] });
    expect((f.detail.resource as Record<string, unknown>).bedrockAgentDetails).toEqual({ agentId: 'A1' });
  });

  it('takes the affected account from detail.accountId, not the envelope (delegated administrator, moto)', () => {
    const event = findingEvent();
    event.account = '999988887777';
    expect(finding(event).key.accountId).toBe('111122223333');
    const noAccount: Record<string, unknown> = findingEvent();
    delete noAccount.account;
    expect(finding(noAccount).key.accountId).toBe('111122223333');
  });

  it('rejects events over 256 KB', () => {
    const event = findingEvent();
    (event.detail as Record<string, unknown>).padding = 'x'.repeat(MAX_EVENT_BYTES);
    const text = JSON.stringify(event);
    expect(() => parseEventText(text)).toThrow(/EventBridge events are at most 262144 bytes/);
    expect(() => parseEvent(event)).toThrow(/at most 262144 bytes/);
  });

  it('rejects text that is not JSON, and an event from another source', () => {
    expect(() => parseEventText('{"detail": ')).toThrow(/not valid JSON/);
    const other = { ...findingEvent(), source: 'aws.securityhub' };
    expect(rejection(other).message).toMatch(/^source: expected "aws.guardduty"/);
  });

  it('rejects the GetFindings (PascalCase) shape with a hint', () => {
    const err = rejection({ Findings: [{ Severity: 5, Type: 'Recon:IAMUser/UserPermissions' }] });
    expect(err.message).toMatch(/GetFindings API or AWS CLI output.*not an EventBridge event/);
  });

  it('rejects a bare detail with the envelope to wrap it in', () => {
    expect(rejection(findingEvent().detail).message).toMatch(/detail without its EventBridge envelope; wrap it/);
  });

  it('treats other GuardDuty detail-types as not a finding', () => {
    const parsed = parseEvent({ ...findingEvent(), 'detail-type': 'GuardDuty Malware Protection Object Scan Result', detail: {} });
    expect(parsed).toEqual({ kind: 'not-a-finding', detailType: 'GuardDuty Malware Protection Object Scan Result' });
  });

  it('finds public buckets and access key details', () => {
    expect(finding(findingEvent({ resource: bucketResource('b1', 'PUBLIC') })).publicBuckets).toEqual(['b1']);
    expect(finding(findingEvent({ resource: bucketResource('b2', 'NOT_PUBLIC') })).publicBuckets).toEqual([]);
    const key = finding(findingEvent({ resource: accessKeyResource('ASIAX', 'AssumedRole', 'role-a') })).accessKey;
    expect(key).toEqual({ accessKeyId: 'ASIAX', userType: 'AssumedRole', principalId: 'AIDAEXAMPLE', userName: 'role-a' });
  });

  it('keeps sample findings apart from real ones on the same resource', () => {
    const real = finding(findingEvent({ instanceId: 'i-99999999' }));
    const sample = finding(findingEvent({ instanceId: 'i-99999999', sample: true }));
    expect(sample.sample).toBe(true);
    expect(resourceKey(sample)).not.toBe(resourceKey(real));
  });

  it('refuses a lone surrogate in a value or a key that becomes a key by its path, as decoded (Lambda) and as text; takes a pair', () => {
    const lone = findingEvent({ instanceId: 'i-0lone\ud800' });
    expect(rejection(lone).path).toBe('detail.resource.instanceDetails.instanceId');
    expect(() => parseEventText(JSON.stringify(lone))).toThrow(/^detail\.resource\.instanceDetails\.instanceId: holds a lone surrogate/);
    const key = findingEvent({ resource: { resourceType: 'Instance', instanceDetails: { instanceId: 'i-0k', tags: { '\udfffx': 1 } } } });
    expect(rejection(key).message).toMatch(/^detail\.resource\.instanceDetails\.tags: a key holds a lone surrogate/);
    const type = JSON.stringify(findingEvent({ type: 'Backdoor:EC2/X' })).replace('EC2/X', 'EC2/X\\udc00');
    expect(() => parseEventText(type)).toThrow(/^detail\.type: holds a lone surrogate/);
    // A pair written as escapes in the text is one character: taken.
    expect(finding(findingEvent({ type: 'Backdoor:EC2/\ud83d\ude00' })).type).toBe('Backdoor:EC2/😀');
    const escaped = JSON.stringify(findingEvent({ id: 'pair' })).replace('"pair"', '"p\\ud83d\\ude00ir"');
    expect(parseEventText(escaped)).toMatchObject({ finding: { key: { findingId: 'p😀ir' } } });
  });

  it('keeps a lone surrogate in text that becomes no key: whoever wrote a user agent or a key of additionalInfo cannot keep the finding from being recorded', () => {
    const text = JSON.stringify(findingEvent({ id: 'ua', service: { additionalInfo: { 'k\udc00': 'v\ud800' }, action: { userAgent: 'curl\ud800' } } }));
    const parsed = parseEventText(text);
    expect(parsed).toMatchObject({ kind: 'finding', finding: { key: { findingId: 'ua' } } });
    expect(finding(JSON.parse(text)).key.findingId).toBe('ua');
  });
});

describe('finding versions', () => {
  it('orders by updatedAt, then count', () => {
    const a = { updatedAt: '2026-11-27T21:00:00Z', count: 5 };
    expect(compareVersions({ updatedAt: '2026-11-27T21:00:01Z', count: 1 }, a)).toBe(1);
    expect(compareVersions({ updatedAt: '2026-11-27T21:00:00.000Z', count: 6 }, a)).toBe(1);
    expect(compareVersions({ updatedAt: '2026-11-27T21:00:00Z', count: 5 }, a)).toBe(0);
    expect(compareVersions({ updatedAt: '2026-11-27T20:59:59Z', count: 9 }, a)).toBe(-1);
  });
});

// The published samples in ../shared are reference data: checked when present, not needed to pass.
const FIXTURES = join(import.meta.dirname, '../../../shared/fixtures/guardduty');
describe.skipIf(!existsSync(FIXTURES))('published GuardDuty samples (../shared/fixtures)', () => {
  const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
  const wrap = (detail: Record<string, unknown>, region?: string) => ({
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: (detail.accountId as string | undefined) ?? '123456789012',
    time: detail.updatedAt,
    region: (detail.region as string | undefined) ?? region,
    resources: [],
    detail,
  });

  it.each([
    ['eventbridge-ec2-backdoor-dos-tcp.sample.json', 'Backdoor:EC2/DenialOfService.Tcp', 'ec2-instance'],
    ['eventbridge-ec2-trojan-droppoint-dns.sample.json', 'Trojan:EC2/DropPoint!DNS', 'ec2-instance'],
    ['eventbridge-iam-recon-maliciousipcaller.sample.json', 'Recon:IAMUser/MaliciousIPCaller', 'access-key'],
  ])('parses the full envelope %s', (file, type, kind) => {
    const parsed = parseEventText(read(file));
    expect(parsed.kind).toBe('finding');
    if (parsed.kind === 'finding') {
      expect(parsed.finding.type).toBe(type);
      expect(parsed.finding.resource.kind).toBe(kind);
      expect(parsed.finding.sample).toBe(true);
    }
  });

  it.each([
    ['detail-ec2-canary-integtest.aws-samples.json', 'Canary:EC2/Stateless.IntegTest', false],
    ['detail-iam-recon-maliciousipcaller-custom.aws-samples.json', 'Recon:IAMUser/MaliciousIPCaller.Custom', true],
    ['detail-s3-pentest-parrotlinux.aws-samples.json', 'PenTest:S3/ParrotLinux', true],
  ])('rejects the bare detail %s, and parses it once wrapped', (file, type, sample) => {
    expect(() => parseEventText(read(file))).toThrow(/without its EventBridge envelope/);
    const parsed = parseEvent(wrap(JSON.parse(read(file))));
    expect(parsed.kind === 'finding' && parsed.finding.type).toBe(type);
    expect(parsed.kind === 'finding' && parsed.finding.sample).toBe(sample);
  });

  it('parses the partial envelope once wrapped, taking account and region from the envelope', () => {
    const partial = JSON.parse(read('partial-envelope-ec2-sshbruteforce.aws-samples-waf-acl.json'));
    expect(() => parseEvent(partial)).toThrow(/detail-type: required/);
    const parsed = parseEvent(wrap(partial.detail, partial.region));
    expect(parsed.kind === 'finding' && parsed.finding.key).toEqual({
      accountId: '123456789012',
      region: 'us-east-1',
      findingId: '02be5693b63eea1d67e6f321c6aee4f3',
    });
  });

  it('rejects the GetFindings CLI output with its hint', () => {
    expect(() => parseEventText(read('getfindings-api-output-recon-iamuser-userpermissions.aws-cli.json'))).toThrow(/GetFindings API or AWS CLI output/);
  });
});

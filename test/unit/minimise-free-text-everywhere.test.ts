/**
 * fg19 (closing note of stop 17): minimise looked for e-mail and IP addresses it was not told of
 * (no personal field held them) in the finding's title and description only. A finding carries free
 * text in more places: `service.additionalInfo` (GuardDuty's bag of whatever it adds, `value` a JSON
 * string), an attack sequence's and its signals' descriptions, a Kubernetes call's request URI and
 * parameters, `userFeedback`, unknown fields; and in the organisation's resource its tags and
 * descriptions, where an owner's e-mail address sits. `minimiseDetail` is what both stores write
 * minimised and what verify (`personalDataLeft`) runs to name a minimised record still holding some.
 */
import { describe, expect, it } from 'vitest';
import { minimiseDetail, personalDataLeft } from '../../handlers/core/minimise.js';

const detail = () => ({
  schemaVersion: '2.0',
  accountId: '111122223333',
  region: 'eu-west-1',
  partition: 'aws',
  id: 'free-text-everywhere',
  arn: 'arn:aws:guardduty:eu-west-1:111122223333:detector/d/finding/free-text-everywhere',
  type: 'AttackSequence:S3/CompromisedData',
  severity: 9.2,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-01T10:05:00.000Z',
  title: 'Potential data compromise of bucket records-prod',
  description: 'A sequence of actions indicates data compromise.',
  resource: {
    resourceType: 'Instance',
    instanceDetails: {
      instanceId: 'i-0abc1234def567890',
      networkInterfaces: [{ privateIpAddress: '10.0.0.12', publicIp: '203.0.113.40', ipv6Addresses: ['2001:db8:1::12'] }],
      tags: [
        { key: 'Owner', value: 'piet.devries@zorggroep.nl' },
        { key: 'DataClassificatie', value: 'Persoonlijk' },
      ],
      imageDescription: 'Built by jürgen.müller@zorggroep.de on 2026-10-01',
    },
  },
  service: {
    serviceName: 'guardduty',
    detectorId: '48bf285e13736c6c722945805b3e224a',
    additionalInfo: {
      value: '{"recipient":"anna@example.org","origin":"2001:db8::7","via":"198.51.100.23"}',
      type: 'default',
      unusual: { hosts: ['203.0.113.99'] },
    },
    detection: {
      sequence: {
        title: 'Data exfiltration',
        description: 'Bucket read from 198.51.100.77 after a sign-in by kees@example.nl.',
        signals: [{ name: 'GetObject', description: 'Objects read by a caller at 2001:db8:abcd::1' }],
      },
    },
    action: {
      kubernetesApiCallAction: { requestUri: '/api/v1/namespaces/x/secrets?owner=lisa@example.nl', parameters: 'host=198.51.100.5' },
      networkConnectionAction: { localIpDetails: { ipAddressV4: '10.0.0.12' } },
    },
    userFeedback: 'Mail bram@example.nl about this',
    eventFirstSeen: '2026-11-01T09:59:00.000Z',
    eventLastSeen: '2026-11-01T10:04:59.000Z',
  },
  extraNote: 'Reported by desk@example.nl from 192.0.2.44',
});

describe('minimise: e-mail and IP addresses in every free text the finding record keeps (fg19)', () => {
  it('removes them from the service part and unknown fields, not only the title and description', () => {
    const { detail: out, paths } = minimiseDetail(detail());
    const service = JSON.stringify(out.service);
    for (const gone of [
      'anna@example.org',
      '2001:db8::7',
      '198.51.100.23',
      '203.0.113.99',
      '198.51.100.77',
      'kees@example.nl',
      '2001:db8:abcd::1',
      'lisa@example.nl',
      '198.51.100.5',
      'bram@example.nl',
    ])
      expect(service).not.toContain(gone);
    expect(out.extraNote).toBe('Reported by (minimised) from (minimised)');
    expect(paths).toEqual(
      expect.arrayContaining([
        'service.additionalInfo.value',
        'service.additionalInfo.unusual.hosts[]',
        'service.detection.sequence.description',
        'service.detection.sequence.signals[].description',
        'service.action.kubernetesApiCallAction.requestUri',
        'service.action.kubernetesApiCallAction.parameters',
        'service.userFeedback',
        'extraNote',
      ]),
    );
    // Times, the detector and the words around stay; the local side of a connection stays whole.
    const s = out.service as ReturnType<typeof detail>['service'];
    expect(s.detection.sequence.description).toBe('Bucket read from (minimised) after a sign-in by (minimised).');
    expect(s.eventFirstSeen).toBe('2026-11-01T09:59:00.000Z');
    expect(s.detectorId).toBe('48bf285e13736c6c722945805b3e224a');
    expect(s.action.networkConnectionAction.localIpDetails.ipAddressV4).toBe('10.0.0.12');
  });

  it('removes an e-mail address from the organisation’s resource (a tag, a description) and keeps its addresses and ids', () => {
    const { detail: out, paths } = minimiseDetail(detail());
    const instance = (out.resource as ReturnType<typeof detail>['resource']).instanceDetails;
    expect(instance.tags).toEqual([
      { key: 'Owner', value: '(minimised)' },
      { key: 'DataClassificatie', value: 'Persoonlijk' },
    ]);
    expect(instance.imageDescription).toBe('Built by (minimised) on 2026-10-01');
    expect(instance.networkInterfaces).toEqual([{ privateIpAddress: '10.0.0.12', publicIp: '203.0.113.40', ipv6Addresses: ['2001:db8:1::12'] }]);
    expect(instance.instanceId).toBe('i-0abc1234def567890');
    expect(paths).toEqual(expect.arrayContaining(['resource.instanceDetails.tags[].value', 'resource.instanceDetails.imageDescription']));
  });

  it('verify names an address left in such a field of a record that says it is minimised; minimised again, none is left', () => {
    const record = { minimised: { at: '2026-01-01T00:00:00Z' }, detail: detail() };
    expect(personalDataLeft(JSON.stringify(record))).toEqual(expect.arrayContaining(['service.additionalInfo.value', 'resource.instanceDetails.tags[].value']));
    const again = { minimised: { at: '2026-01-01T00:00:00Z' }, detail: minimiseDetail(detail()).detail };
    expect(personalDataLeft(JSON.stringify(again))).toEqual([]);
  });
});

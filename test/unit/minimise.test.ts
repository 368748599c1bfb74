/**
 * Review 7 G11: what minimising a finding removes (core/minimise.ts), on the project's own events:
 * every value that points at a person, wherever the finding's shape puts it, and those values
 * wherever else the finding repeats them (its title, an ARN, an actor id); never the finding's own
 * identifiers or the organisation's resources the measures acted on. Minimising twice changes
 * nothing, and verify's check names a record that says it is minimised but is not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MINIMISED, minimiseDetail, personalDataLeft } from '../../handlers/core/minimise.js';

const ROOT = join(import.meta.dirname, '../..');
const detailOf = (file: string) => JSON.parse(readFileSync(join(ROOT, 'events', file), 'utf8')).detail as Record<string, unknown>;

describe('minimising a finding', () => {
  it('removes the caller of a credential finding: address, city, coordinates, key, principal, user; keeps the country and what was done', () => {
    const before = detailOf('06-iam-instance-credentials-used-outside-aws-assumed-role.json');
    const { detail, paths } = minimiseDetail(before);
    const text = JSON.stringify(detail);
    for (const value of ['198.51.100.23', 'ASIAEXAMPLEEXFIL0001', 'app-server-role']) {
      expect(JSON.stringify(before)).toContain(value);
      expect(text).not.toContain(value);
    }
    expect(paths).toEqual(
      expect.arrayContaining([
        'resource.accessKeyDetails.accessKeyId',
        'resource.accessKeyDetails.userName',
        'service.action.awsApiCallAction.remoteIpDetails.ipAddressV4',
        'service.action.awsApiCallAction.remoteIpDetails.geoLocation',
      ]),
    );
    const call = (detail.service as { action: { awsApiCallAction: Record<string, unknown> } }).action.awsApiCallAction;
    expect((call.remoteIpDetails as { country: unknown }).country).toEqual(
      (before.service as typeof detail.service & { action: { awsApiCallAction: { remoteIpDetails: { country: unknown } } } }).action.awsApiCallAction
        .remoteIpDetails.country,
    );
    expect(call.api).toBeDefined();
    expect([detail.id, detail.type, detail.accountId, detail.arn]).toEqual([before.id, before.type, before.accountId, before.arn]);
  });

  it("removes an attack sequence's actor and endpoint wherever the sequence repeats them, keeping the account, the bucket and the finding types", () => {
    const before = detailOf('14-attack-sequence-s3-compromised-data-critical-9.5.json');
    const { detail } = minimiseDetail(before);
    const text = JSON.stringify(detail);
    for (const value of ['hr-sync', 'AIDAEXAMPLEHRSYNC001', 'AKIAEXAMPLEHRSYNC001', '198.51.100.150']) {
      expect(JSON.stringify(before)).toContain(value);
      expect(text).not.toContain(value);
    }
    for (const kept of ['hr-salarisadministratie', 'Discovery:S3/AnomalousBehavior', 'IAMUser', 'Nowhereland']) expect(text).toContain(kept);
    expect([detail.accountId, detail.arn, detail.type]).toEqual([before.accountId, before.arn, before.type]);
    expect(detail.title).toBe(`Potential data compromise of one or more S3 buckets via a sequence of actions associated with IAMUser/${MINIMISED}.`);
  });

  it("removes a Kubernetes user and source address, and an SSH attacker's address, keeping the organisation's own instance addresses", () => {
    const eks = JSON.stringify(minimiseDetail(detailOf('10-eks-cluster-anonymous-access-granted.json')).detail);
    expect(eks).not.toContain('system:anonymous');
    expect(eks).not.toContain('198.51.100.42');
    const ssh = JSON.stringify(minimiseDetail(detailOf('16-ec2-ssh-brute-force-target-low-severity.json')).detail);
    expect(ssh).not.toContain('192.0.2.201');
    expect(ssh).toContain('10.20.1.10');
  });

  it("keeps the instance's own private address and id, and the local side, whatever a value the caller chose matches (read8 A3)", () => {
    const detail = {
      id: 'f1',
      type: 'UnauthorizedAccess:EC2/SSHBruteForce',
      resource: {
        resourceType: 'Instance',
        instanceDetails: { instanceId: 'i-0123456789abcdef0', networkInterfaces: [{ networkInterfaceId: 'eni-1', privateIpAddress: '10.0.1.23' }] },
      },
      service: {
        action: {
          actionType: 'NETWORK_CONNECTION',
          networkConnectionAction: {
            localIpDetails: { ipAddressV4: '10.0.1.23' },
            localPortDetails: { port: 22 },
            remoteIpDetails: { ipAddressV4: '198.51.100.7', country: { countryName: 'Netherlands' } },
          },
        },
      },
    };
    const { detail: out } = minimiseDetail(detail);
    const instance = (out.resource as { instanceDetails: { networkInterfaces: { privateIpAddress: string }[] } }).instanceDetails;
    expect(instance.networkInterfaces[0].privateIpAddress).toBe('10.0.1.23');
    const connection = (out.service as typeof detail.service).action.networkConnectionAction;
    expect(connection.localIpDetails.ipAddressV4).toBe('10.0.1.23');
    expect(connection.remoteIpDetails.ipAddressV4).toBe(MINIMISED);

    // A caller whose user agent is the instance id, and whose domain is its private address: the user agent and domain go, the resource stays.
    const chosen = structuredClone(detail) as typeof detail & { service: { action: { awsApiCallAction?: unknown } } };
    chosen.service.action.awsApiCallAction = { userAgent: { fullUserAgent: 'i-0123456789abcdef0' }, domainDetails: { domain: '10.0.1.23' } };
    const { detail: out2 } = minimiseDetail(chosen);
    expect(out2.resource).toEqual(detail.resource);
    expect((out2.service as typeof detail.service).action.networkConnectionAction.localIpDetails.ipAddressV4).toBe('10.0.1.23');
    expect(JSON.stringify((out2.service as { action: { awsApiCallAction: unknown } }).action.awsApiCallAction)).not.toContain('i-0123456789abcdef0');
  });

  it('removes an address named only in the title or description', () => {
    const { detail, paths } = minimiseDetail({
      title: '198.51.100.7 is performing SSH brute force attacks against i-0abc',
      description: 'From 198.51.100.7.',
      service: {},
    });
    expect(detail.title).toBe(`${MINIMISED} is performing SSH brute force attacks against i-0abc`);
    expect(detail.description).toBe(`From ${MINIMISED}.`);
    expect(paths).toEqual(['description', 'title']);
  });

  it('is idempotent: a minimised detail minimises to itself, with nothing removed', () => {
    for (const file of [
      '06-iam-instance-credentials-used-outside-aws-assumed-role.json',
      '14-attack-sequence-s3-compromised-data-critical-9.5.json',
      '32-eks-worker-node-runtime-reverse-shell.json',
    ]) {
      const once = minimiseDetail(detailOf(file)).detail;
      const twice = minimiseDetail(once);
      expect(twice.paths).toEqual([]);
      expect(twice.detail).toEqual(once);
    }
  });

  it('finds what a record that says it is minimised still holds (verify names it); nothing in a minimised one, or one never minimised', () => {
    const original = detailOf('06-iam-instance-credentials-used-outside-aws-assumed-role.json');
    const note = { at: '2026-09-01T00:00:00.000Z', by: 'FG', from: 'x', removed: [] };
    expect(personalDataLeft(JSON.stringify({ detail: original, minimised: note }))).toContain('service.action.awsApiCallAction.remoteIpDetails.ipAddressV4');
    expect(personalDataLeft(JSON.stringify({ detail: minimiseDetail(original).detail, minimised: note }))).toEqual([]);
    expect(personalDataLeft(JSON.stringify({ detail: original }))).toEqual([]);
  });
});

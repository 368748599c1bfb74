/**
 * review15 Sa: `minimise` removed a principal id (`AROA…:alice@…`) only as a whole value, so the
 * session part after the colon (for an IAM Identity Center user, the person's e-mail address)
 * stayed where the finding repeats it alone (its title, its description, an actor elsewhere); and
 * e-mail and IPv6 addresses in the free text were never looked for (IPv4 were). `minimiseDetail` is
 * what both stores (SQLite, DynamoDB) write minimised, and what verify runs again to say a minimised
 * record still holds personal data.
 */
import { describe, expect, it } from 'vitest';
import { minimiseDetail, personalDataLeft } from '../../handlers/core/minimise.js';

const detail = (over: Record<string, unknown> = {}) => ({
  schemaVersion: '2.0',
  accountId: '111122223333',
  region: 'eu-west-1',
  id: 'sso-session',
  type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
  severity: 8,
  title: 'Credentials for alice.jansen@zorggroep.nl used from 198.51.100.23',
  description: 'Session alice.jansen@zorggroep.nl of role AWSReservedSSO_Developer_0123 was used.',
  resource: {
    resourceType: 'AccessKey',
    accessKeyDetails: {
      accessKeyId: 'ASIAEXAMPLEEXFIL0009',
      principalId: 'AROAEXAMPLEROLEID0001:alice.jansen@zorggroep.nl',
      userType: 'AssumedRole',
      userName: 'AWSReservedSSO_Developer_0123',
    },
  },
  service: { additionalInfo: { value: '{"caller":"alice.jansen@zorggroep.nl"}', sessionLabel: 'alice.jansen@zorggroep.nl' } },
  ...over,
});

const minimisedText = (d: Record<string, unknown>) => JSON.stringify(minimiseDetail(d).detail);

describe('minimise: each part of a removed principal, and addresses in free text (review15 Sa)', () => {
  it('removes the session part of a principal id wherever the finding repeats it alone', () => {
    const { detail: out, paths } = minimiseDetail(detail());
    const text = JSON.stringify(out);
    expect(text).not.toContain('alice.jansen');
    expect(out.title).toBe('Credentials for (minimised) used from (minimised)');
    expect(out.description).toBe('Session (minimised) of role (minimised) was used.');
    expect(paths).toEqual(expect.arrayContaining(['title', 'description', 'service.additionalInfo.value', 'service.additionalInfo.sessionLabel']));
    // The role's unique id before the colon names no one; the resource type and the finding's own fields stay.
    expect(out.id).toBe('sso-session');
    // Minimised, nothing is left for verify to name.
    expect(personalDataLeft(JSON.stringify({ minimised: { at: 'x' }, detail: out }))).toEqual([]);
  });

  it('removes the session name an ARN ends in, and a federated user’s name after the account', () => {
    const arn = minimisedText(
      detail({
        title: 'API called by jan from 198.51.100.9',
        description: 'Caller jan used a role session.',
        service: {
          action: { awsApiCallAction: { remoteIpDetails: { ipAddressV4: '198.51.100.9' } } },
          actor: { user: { name: 'arn:aws:sts::111122223333:assumed-role/Dev/jan' } },
        },
      }),
    );
    expect(arn).not.toMatch(/\bjan\b/);
    const federated = minimiseDetail(
      detail({
        title: 'Federated user bob.devries called GetSecretValue',
        description: 'bob.devries',
        resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: '111122223333:bob.devries', userType: 'FederatedUser' } },
        service: {},
      }),
    ).detail;
    expect(federated.title).toBe('Federated user (minimised) called GetSecretValue');
  });

  it('keeps an EC2 instance’s session name: the instance id is the organisation’s', () => {
    const out = minimiseDetail(
      detail({
        title: 'Credentials for instance i-0abc1234def567890 used from 198.51.100.23',
        description: 'Role session i-0abc1234def567890.',
        resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: 'AROAEXAMPLEROLEID0001:i-0abc1234def567890', userType: 'AssumedRole' } },
        service: {},
      }),
    ).detail;
    expect(out.title).toBe('Credentials for instance i-0abc1234def567890 used from (minimised)');
  });

  it('removes e-mail and IPv6 addresses from the title and description, and leaves times and ordinary words', () => {
    const out = minimiseDetail(
      detail({
        title: 'Login by piet@example.nl from 2001:db8::7 and ::ffff:198.51.100.23 at 21:00:00.',
        description: 'Probes from 2001:0db8:85a3:0000:0000:8a2e:0370:7334 (contact: Noc.Team+x@mail.example.org), 12:30 CET; see a::b-c.',
        resource: { resourceType: 'Instance' },
        service: {},
      }),
    ).detail;
    expect(out.title).toBe('Login by (minimised) from (minimised) and (minimised) at 21:00:00.');
    expect(out.description).toBe('Probes from (minimised) (contact: (minimised)), 12:30 CET; see a::b-c.');
  });

  it('verify names an e-mail address left in the free text of a record that says it is minimised', () => {
    const record = { minimised: { at: '2026-01-01T00:00:00Z' }, detail: { ...detail({ resource: {}, service: {} }), title: 'Login by piet@example.nl' } };
    expect(personalDataLeft(JSON.stringify(record))).toContain('title');
  });
});

describe('readB17: an e-mail address with letters beyond ASCII', () => {
  it('is removed whole from the free text', () => {
    for (const address of ['josé@example.nl', 'jürgen.müller@example.de', 'jan@bücher.de']) {
      const text = `Console sign-in by ${address} from an unusual location.`;
      const out = minimiseDetail({ ...detail(), title: text, description: text });
      // Before: the first and third stayed whole, the second kept "jürgen.mü".
      expect(out.detail.title).toBe('Console sign-in by (minimised) from an unusual location.');
      expect(out.detail.description).toBe('Console sign-in by (minimised) from an unusual location.');
    }
  });
});

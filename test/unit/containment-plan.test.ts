import { describe, expect, it } from 'vitest';
import { exemptReason, planContainment } from '../../handlers/core/containment.js';
import { type Finding, parseEvent } from '../../handlers/core/finding.js';
import { principalPseudonym, withPseudonyms } from '../../handlers/core/finding-resources.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { accessKeyResource, bucketResource, findingEvent, instanceResource, RESOURCES, sequenceDetection } from '../support/events.js';

const NOW = '2026-11-28T03:00:00.000Z';

function finding(event: unknown): Finding {
  const parsed = parseEvent(event);
  if (parsed.kind !== 'finding') throw new Error('not a finding');
  return parsed.finding;
}

/** What the default policy plans on AWS (enforce shows as enforce), as `type target` lines with the person's runbook. */
function plan(event: unknown, policy: Policy = DEFAULT_POLICY, forceEnforce = false): ActionRecord[] {
  return planContainment(finding(event), policy, [], { canEnforce: true, forceEnforce, now: NOW });
}

const brief = (actions: ActionRecord[]) =>
  actions.map((a) => `${a.type} ${a.target}${a.person ? ` (person: ${a.params?.runbook})` : ''}${a.status === 'skipped' ? ' [skipped]' : ''}`);

const outbound = { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'OUTBOUND' } } };
const inbound = { action: { actionType: 'NETWORK_CONNECTION', networkConnectionAction: { connectionDirection: 'INBOUND' } } };
const runtime = { runtimeDetails: { process: { name: 'xmrig' } } };

describe('credentials: the right containment for each kind', () => {
  // The user's principal id (AIDA…) by its pseudonym under the store's secret, as recording makes it (fg19).
  const secret = Buffer.alloc(32, 7);
  const pseudonymous = (event: unknown) => planContainment(withPseudonyms(finding(event), secret), DEFAULT_POLICY, [], { canEnforce: true, now: NOW });

  it("revokes an IAM user's temporary credentials on the user, by its principal id's pseudonym, never as a role named after the user", () => {
    const actions = pseudonymous(
      findingEvent({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', resource: accessKeyResource('ASIAUSERSESSION00001', 'IAMUser', 'j.jansen') }),
    );
    // Beside it the long-term key that made the session, a person's (cont25, below).
    expect(brief(actions).slice(0, 1)).toEqual([`revoke-user-sessions ${principalPseudonym(secret, 'AIDAEXAMPLE', 'iam-user')}`]);
    expect(actions[0].params).toEqual({ userName: 'j.jansen' });
    expect(actions.some((a) => a.type === 'revoke-role-sessions')).toBe(false);
  });

  /**
   * cont25: an IAM user's temporary key (ASIA…) is made with GetSessionToken by one of the user's long-term keys. The
   * deny on older sessions ends the stolen session; a request signed with the long-term key carries no token issue time,
   * so whoever holds it makes new sessions after the deny. The record said the revocation done, verify "in place", and
   * nothing named the key: a person's step does now, by the user's pseudonym (the user's name stays in the revocation's
   * params), so the containment is not complete until someone deactivates it.
   */
  it.each(['UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'UnauthorizedAccess:IAMUser/TorIPCaller', 'CredentialAccess:IAMUser/AnomalousBehavior'])(
    "names the long-term key behind an IAM user's session (%s) as a person's step beside the revocation",
    (type) => {
      const user = principalPseudonym(secret, 'AIDAEXAMPLE', 'iam-user');
      const actions = pseudonymous(findingEvent({ type, resource: accessKeyResource('ASIAUSERSESSION00001', 'IAMUser', 'j.jansen') }));
      expect(brief(actions)).toEqual([
        `revoke-user-sessions ${user}`,
        `deactivate-user-keys ${user} (person: runbooks/revoke-user-sessions.md#the-long-term-key-that-made-them)`,
      ]);
      expect(JSON.stringify(actions[1])).not.toContain('j.jansen');
    },
  );

  it("names no long-term key beside a console sign-in's revocation, nor beside a long-term key's deactivation", () => {
    const console = { resourceType: 'AccessKey', accessKeyDetails: { accessKeyId: '', principalId: 'AIDACONSOLE', userType: 'IAMUser', userName: 'j.jansen' } };
    const types = (event: unknown) => pseudonymous(event).map((a) => a.type);
    // The console's password and MFA are a person's step of their own (cont26, below).
    expect(types(findingEvent({ type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', resource: console }))).toEqual([
      'revoke-user-sessions',
      'secure-console-sign-in',
    ]);
    const longTerm = accessKeyResource('AKIAUSERKEY000000001', 'IAMUser', 'j.jansen');
    expect(types(findingEvent({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', resource: longTerm }))).toEqual(['deactivate-access-key']);
  });

  it("revokes a console sign-in's sessions on the IAM user", () => {
    const resource = {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: '', principalId: 'AIDACONSOLE', userType: 'IAMUser', userName: 'j.jansen' },
    };
    expect(brief(pseudonymous(findingEvent({ type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', resource }))).slice(0, 1)).toEqual([
      `revoke-user-sessions ${principalPseudonym(secret, 'AIDACONSOLE', 'iam-user')}`,
    ]);
  });

  /**
   * cont26: a console sign-in someone else made knows the user's password (and passed its MFA, or there was none). The
   * deny on older sessions signs that session out; the password signs in anew after it. Nothing named the password or
   * the MFA devices: the record said contained once the deny was put. A person's step does now, by the user's pseudonym.
   */
  it("names the console password and MFA devices behind a console sign-in as a person's step beside the revocation", () => {
    const user = principalPseudonym(secret, 'AIDACONSOLE', 'iam-user');
    const resource = {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: '', principalId: 'AIDACONSOLE', userType: 'IAMUser', userName: 'j.jansen' },
    };
    const actions = pseudonymous(findingEvent({ type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', resource }));
    expect(brief(actions)).toEqual([
      `revoke-user-sessions ${user}`,
      `secure-console-sign-in ${user} (person: runbooks/revoke-user-sessions.md#the-password-and-mfa-of-a-console-sign-in)`,
    ]);
    expect(JSON.stringify(actions[1])).not.toContain('j.jansen');
    // An API call with the user's session key is no console sign-in: its key is the step (above).
    const session = pseudonymous(
      findingEvent({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', resource: accessKeyResource('ASIAUSERSESSION00001', 'IAMUser', 'j.jansen') }),
    );
    expect(session.map((a) => a.type)).not.toContain('secure-console-sign-in');
  });

  /**
   * cont (session 26): whoever signed in to the console knows the password; the deny on older sessions signs that
   * session out and the password signs in anew, with every permission the user has, until a person makes it anew.
   * AWS's incident-response samples put an explicit deny-all on the user: the revocation of a console sign-in asks for it
   * (`denyAll`), the revocation of a session key does not (its key is a person's step, cont25).
   */
  it("asks for a deny-all on the IAM user beside a console sign-in's revocation, not beside a session key's", () => {
    const resource = {
      resourceType: 'AccessKey',
      accessKeyDetails: { accessKeyId: '', principalId: 'AIDACONSOLE', userType: 'IAMUser', userName: 'j.jansen' },
    };
    const consoleSignIn = pseudonymous(findingEvent({ type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B', resource }));
    expect(consoleSignIn[0]).toMatchObject({ type: 'revoke-user-sessions', params: { userName: 'j.jansen', denyAll: 'console-sign-in' } });
    const session = pseudonymous(
      findingEvent({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', resource: accessKeyResource('ASIAUSERSESSION00001', 'IAMUser', 'j.jansen') }),
    );
    expect(session[0].params).toEqual({ userName: 'j.jansen' });
  });

  it('leaves federated users and root to a person, with the runbook', () => {
    const federated = plan(
      findingEvent({ type: 'Exfiltration:IAMUser/AnomalousBehavior', resource: accessKeyResource('ASIAFEDERATED000001', 'FederatedUser', 'partner-sso') }),
    );
    expect(brief(federated)).toEqual(['contain-federated-user ASIAFEDERATED000001 (person: runbooks/federated-user.md)']);
    expect(federated[0]).toMatchObject({ status: 'planned', mode: 'plan', reason: 'a person acts: runbooks/federated-user.md' });
    const root = plan(findingEvent({ type: 'Policy:IAMUser/RootCredentialUsage', severity: 8, resource: accessKeyResource('ASIAROOT', 'Root', 'Root') }));
    expect(brief(root)).toEqual(['restrict-root-credentials ASIAROOT (person: runbooks/compromised-access-key.md)']);
  });

  it('keeps assumed roles and long-term keys as before', () => {
    expect(
      brief(
        plan(
          findingEvent({
            type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
            resource: accessKeyResource('ASIAROLE', 'AssumedRole', 'app-role'),
          }),
        ),
      ),
    ).toEqual(['revoke-role-sessions app-role']);
    expect(brief(plan(findingEvent({ type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource('AKIALONG') })))).toEqual([
      'deactivate-access-key AKIALONG',
    ]);
  });

  /**
   * cont24: GuardDuty's `remoteAccountDetails` on `…CredentialExfiltration.InsideAWS` names the account the credentials
   * were used from, not theirs: they are the role of an instance (or other resource) of the finding's own account. It
   * was read as the credentials' account (as on an S3 finding by a remote caller), so the role's sessions were never
   * revoked: a person's contain-in-other-account of a role of that name in the account using them (the attacker's), or
   * with that account among the member accounts, a revocation of someone else's role there.
   */
  it.each(['Instance', 'Resource'])(
    "revokes the role's sessions in the finding's own account on a %sCredentialExfiltration.InsideAWS from another account",
    (kind) => {
      const remote = {
        action: {
          actionType: 'AWS_API_CALL',
          awsApiCallAction: { api: 'ListBuckets', remoteAccountDetails: { accountId: '999988887777', affiliated: false } },
        },
      };
      const policy = parsePolicy({ containment: { memberAccounts: ['999988887777'] } });
      for (const p of [DEFAULT_POLICY, policy]) {
        const [action, ...rest] = plan(
          findingEvent({
            type: `UnauthorizedAccess:IAMUser/${kind}CredentialExfiltration.InsideAWS`,
            resource: accessKeyResource('ASIAROLESESSION00002', 'AssumedRole', 'app-server-role'),
            service: remote,
          }),
          p,
        );
        expect([brief([action]), action.accountId, rest]).toEqual([['revoke-role-sessions app-server-role'], undefined, []]);
      }
    },
  );

  /**
   * cont24: the deny on older sessions ends the stolen session, but the instance whose credentials they were gets new
   * ones of the role from its metadata service every hour, issued after the deny, and whoever stole them once (an SSRF,
   * a foothold) takes them again. The record said the revocation done, verify "in place", and nothing named the
   * instance: a person's step does now, so the containment is not complete until someone cuts that source off.
   */
  it.each(['OutsideAWS', 'InsideAWS'])("names the instance that leaked its role's credentials (%s) as a person's step beside the revocation", (where) => {
    const resource = {
      resourceType: 'AccessKey',
      accessKeyDetails: {
        accessKeyId: 'ASIAROLESESSION00003',
        principalId: 'AROAEXAMPLE:i-0a1b2c3d4e5f60718',
        userType: 'AssumedRole',
        userName: 'app-server-role',
      },
    };
    expect(brief(plan(findingEvent({ type: `UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.${where}`, resource })))).toEqual([
      'revoke-role-sessions app-server-role',
      'contain-credential-source i-0a1b2c3d4e5f60718 (person: runbooks/revoke-role-sessions.md#the-instance-that-leaked-them)',
    ]);
    // Another finding made with a session whose name looks like an instance id: the name is the caller's choice, no step.
    expect(brief(plan(findingEvent({ type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', resource })))).toEqual(['revoke-role-sessions app-server-role']);
  });

  it.each(['InitialAccess', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion', 'Stealth', 'Discovery'])(
    'disables the credentials of a High %s:IAMUser finding',
    (purpose) => {
      expect(brief(plan(findingEvent({ type: `${purpose}:IAMUser/AnomalousBehavior`, resource: accessKeyResource('AKIAX') })))).toEqual([
        'deactivate-access-key AKIAX',
      ]);
    },
  );

  it('disables the access key an S3 exfiltration or impact finding names, also on a bucket that is not public', () => {
    const resource = { ...bucketResource('klantdata', 'NOT_PUBLIC'), accessKeyDetails: accessKeyResource('AKIAS3READER').accessKeyDetails };
    expect(brief(plan(findingEvent({ type: 'Exfiltration:S3/MaliciousIPCaller', resource })))).toEqual(['deactivate-access-key AKIAS3READER']);
    expect(brief(plan(findingEvent({ type: 'Impact:S3/AnomalousBehavior.Delete', resource })))).toEqual(['deactivate-access-key AKIAS3READER']);
  });

  it('gives an anonymous S3 caller on a bucket not shown as public to a person (triage), not to nothing', () => {
    expect(brief(plan(findingEvent({ type: 'Exfiltration:S3/MaliciousIPCaller', resource: bucketResource('intern', 'NOT_PUBLIC') })))).toEqual([
      'triage intern (person: runbooks/triage.md)',
    ]);
  });
});

describe('EC2: direction, not resourceRole, decides', () => {
  it('isolates a High Tor client that GuardDuty reports with role TARGET but an OUTBOUND connection', () => {
    expect(brief(plan(findingEvent({ type: 'UnauthorizedAccess:EC2/TorClient', resourceRole: 'TARGET', service: outbound })))).toEqual([
      'isolate-instance i-0123456789abcdef0',
    ]);
  });

  it('isolates an instance brute-forcing others, and gives one brute-forced or probed to a person', () => {
    expect(brief(plan(findingEvent({ type: 'UnauthorizedAccess:EC2/SSHBruteForce', resourceRole: 'ACTOR', service: outbound })))).toEqual([
      'isolate-instance i-0123456789abcdef0',
    ]);
    expect(brief(plan(findingEvent({ type: 'UnauthorizedAccess:EC2/SSHBruteForce', resourceRole: 'TARGET', service: inbound })))).toEqual([
      'review-exposed-instance i-0123456789abcdef0 (person: runbooks/exposed-instance.md)',
    ]);
    const probed = { action: { actionType: 'PORT_PROBE', portProbeAction: { blocked: false } } };
    expect(brief(plan(findingEvent({ type: 'Recon:EC2/PortProbeEMRUnprotectedPort', resourceRole: 'TARGET', service: probed })))).toEqual([
      'review-exposed-instance i-0123456789abcdef0 (person: runbooks/exposed-instance.md)',
    ]);
  });

  it('never enforces a person’s step, even with replay --enforce', () => {
    const actions = plan(findingEvent({ type: 'UnauthorizedAccess:EC2/SSHBruteForce', resourceRole: 'TARGET', service: inbound }), DEFAULT_POLICY, true);
    expect(actions[0]).toMatchObject({ mode: 'plan', person: true });
  });
});

describe('Runtime Monitoring, Malware Protection, Lambda, RDS, EKS, ECS', () => {
  it.each([
    'CryptoCurrency:Runtime/BitcoinTool.B',
    'Backdoor:Runtime/C&CActivity.B',
    'PrivilegeEscalation:Runtime/RuncContainerEscape',
    'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
  ])('isolates the instance of a High %s', (type) => {
    expect(brief(plan(findingEvent({ type, service: runtime })))).toEqual(['isolate-instance i-0123456789abcdef0']);
  });

  it('isolates an ECS task by its network interface, and an EKS finding’s worker node with a person for Kubernetes', () => {
    expect(
      brief(plan(findingEvent({ type: 'Execution:ECS/MaliciousFile', resource: RESOURCES.ECSCluster(), service: { action: { actionType: 'MALWARE_SCAN' } } }))),
    ).toEqual(['isolate-ecs-task arn:aws:ecs:eu-west-1:111122223333:task/payments/0f1e2d3c4b5a69788796a5b4c3d2e1f0']);
    const eks = { ...RESOURCES.EKSCluster(), instanceDetails: instanceResource('i-0node').instanceDetails };
    expect(brief(plan(findingEvent({ type: 'Execution:Runtime/ReverseShell', resource: eks, service: runtime })))).toEqual([
      'isolate-instance i-0node',
      'contain-kubernetes-workload prod-eks (person: runbooks/eks-cluster.md)',
    ]);
    expect(brief(plan(findingEvent({ type: 'Policy:Kubernetes/AnonymousAccessGranted', resource: RESOURCES.EKSCluster() })))).toEqual([
      'contain-kubernetes-workload prod-eks (person: runbooks/eks-cluster.md)',
    ]);
  });

  it('stops a Lambda function, and restricts an RDS instance with a person for the database credentials', () => {
    expect(brief(plan(findingEvent({ type: 'Backdoor:Lambda/C&CActivity.B', resource: RESOURCES.Lambda(), service: outbound })))).toEqual([
      'contain-lambda-function export-klanten',
    ]);
    expect(brief(plan(findingEvent({ type: 'CredentialAccess:RDS/AnomalousBehavior.SuccessfulBruteForce', resource: RESOURCES.RDSDBInstance() })))).toEqual([
      'restrict-rds-instance klanten-db',
      'review-database-access klanten-db (person: runbooks/rds-database.md)',
    ]);
  });

  it('tags malware in an S3 object (key and version in the record, not in the target), a snapshot, an AMI and a recovery point', () => {
    const [object] = plan(
      findingEvent({ type: 'Object:S3/MaliciousFile', severity: 5, resource: RESOURCES.S3Object(), service: { action: { actionType: 'MALWARE_SCAN' } } }),
    );
    expect(object).toMatchObject({ type: 'tag-s3-object', params: { bucket: 'uploads-klanten', key: '2026/paspoort.pdf', versionId: 'v3' } });
    expect(object.target).toMatch(/^uploads-klanten\/object-[0-9a-f]{12}$/);
    expect(brief(plan(findingEvent({ type: 'Execution:EC2/MaliciousFile!Snapshot', resource: RESOURCES.EBSSnapshot() })))).toEqual([
      'tag-snapshot snap-0123456789abcdef0',
    ]);
    expect(brief(plan(findingEvent({ type: 'Execution:EC2/MaliciousFile!AMI', resource: RESOURCES.EC2Image() })))).toEqual(['tag-image ami-0123456789abcdef0']);
    expect(brief(plan(findingEvent({ type: 'Execution:S3/MaliciousFile!RecoveryPoint', resource: RESOURCES.RecoveryPoint() })))).toEqual([
      'tag-recovery-point arn:aws:backup:eu-west-1:111122223333:recovery-point:1EB3B5E7-9EB0-435A-9B6B-EXAMPLE',
    ]);
  });

  it('respects the exemption tag on a Lambda function as on an instance', () => {
    const resource = RESOURCES.Lambda();
    (resource.lambdaDetails as Record<string, unknown>).tags = [{ key: 'datalek:exempt', value: 'true' }];
    const [stop] = plan(findingEvent({ type: 'CryptoCurrency:Lambda/BitcoinTool.B', resource }), DEFAULT_POLICY, true);
    expect(stop).toMatchObject({ type: 'contain-lambda-function', mode: 'plan', reason: exemptReason('datalek:exempt=true', 'contain-lambda-function') });
    expect(stop.reason).toContain('runbooks/lambda-function.md');
  });
});

describe('attack sequences: act on everything they name', () => {
  it('disables the named credentials, isolates the named instance, blocks a named public bucket, and gives the rest to a person', () => {
    const detection = sequenceDetection();
    (detection.sequence.resources[1] as { data: { s3Bucket: Record<string, string> } }).data.s3Bucket.effectivePermission = 'PUBLIC';
    const actions = plan(
      findingEvent({
        type: 'AttackSequence:S3/CompromisedData',
        severity: 9.5,
        resource: { resourceType: 'AttackSequence' },
        service: { detection },
      }),
    );
    expect(brief(actions)).toEqual([
      'block-public-access klantdata',
      'deactivate-access-key AKIAEXAMPLE000000001',
      'isolate-instance i-0123456789abcdef0',
      'contain-kubernetes-workload prod-eks (person: runbooks/eks-cluster.md)',
      'review-attack-sequence f0000000000000000000000000000001 (person: runbooks/attack-sequence.md)',
    ]);
  });

  it("names the long-term key behind an actor's session of an IAM user, unless the sequence names that key too (cont25)", () => {
    const sequence = (detection: ReturnType<typeof sequenceDetection>) =>
      plan(
        findingEvent({ type: 'AttackSequence:IAM/CompromisedCredentials', severity: 9, resource: { resourceType: 'AttackSequence' }, service: { detection } }),
      )
        .filter((a) => a.type.includes('user') || a.type === 'deactivate-access-key')
        .map((a) => a.type);
    const session = sequenceDetection({ accessKeyId: 'ASIAUSERSESSION00001', userName: 'j.jansen' });
    expect(sequence(session)).toEqual(['revoke-user-sessions', 'deactivate-user-keys']);
    const both = sequenceDetection({ accessKeyId: 'ASIAUSERSESSION00001', userName: 'j.jansen' });
    const longTerm = { ...both.sequence.actors[0], user: { ...both.sequence.actors[0].user, credentialUid: 'AKIAUSERKEY000000001' } };
    both.sequence.actors.push({ ...longTerm, id: 'user:IAMUser:AIDAEXAMPLE:j.jansen:key' });
    expect(sequence(both)).toEqual(['revoke-user-sessions', 'deactivate-access-key']);
  });
});

describe('the policy file', () => {
  it('refuses a person rule without its step and runbook, and a runbook outside runbooks/', () => {
    expect(() => parsePolicy({ containment: { rules: [{ action: 'person', findingTypes: ['*'] }] } })).toThrow(/a person rule needs its step and runbook/);
    expect(() => parsePolicy({ containment: { rules: [{ action: 'person', findingTypes: ['*'], step: 'x', runbook: '../etc/passwd' }] } })).toThrow(
      /expected runbooks\/<name>.md/,
    );
  });
});

describe('a resource another open incident holds contained', () => {
  const held = (type: string, target: string, where: { accountId?: string; region?: string } = {}) => [
    { incidentId: 'dl-k', type, target, accountId: where.accountId ?? '111122223333', region: where.region ?? 'eu-west-1' },
  ];
  const isolate = findingEvent({ type: 'Backdoor:EC2/C&CActivity.B', resource: instanceResource('i-0held') });
  const planWith = (event: unknown, heldElsewhere: ReturnType<typeof held>) =>
    planContainment(finding(event), DEFAULT_POLICY, [], { canEnforce: true, forceEnforce: true, now: NOW, heldElsewhere });

  it('is left to that incident: skipped here, naming it, so one record holds the containment', () => {
    const [a] = planWith(isolate, held('isolate-instance', 'i-0held'));
    expect(a).toMatchObject({ type: 'isolate-instance', target: 'i-0held', status: 'skipped', heldBy: 'dl-k' });
    expect(a.reason).toContain('contained by incident dl-k, which holds this resource');
  });

  it('is contained here when the holder holds another resource, or the same name in another account', () => {
    expect(planWith(isolate, held('isolate-instance', 'i-0other'))[0]).toMatchObject({ status: 'planned', mode: 'enforce' });
    expect(planWith(isolate, held('isolate-instance', 'i-0held', { accountId: '444455556666' }))[0]).toMatchObject({ status: 'planned' });
  });

  it("is revoked here too when the revocation is the incident's own (a deny policy per incident)", () => {
    const event = findingEvent({
      type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      resource: accessKeyResource('ASIAROLESESSION00001', 'AssumedRole', 'app-role'),
    });
    const [a] = planWith(event, held('revoke-role-sessions', 'app-role'));
    expect(a).toMatchObject({ type: 'revoke-role-sessions', target: 'app-role', status: 'planned' });
    expect(a.heldBy).toBeUndefined();
  });
});

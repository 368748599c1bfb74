/**
 * cont26: what verify makes of a person's steps recorded done, from what AWS answers (no network: the reader answers
 * from a table). The moto test (test/integration/person-steps-read-back.test.ts) reads the same through the adapter;
 * what moto cannot show (a console password made anew: it gives a login profile its user's creation date) is here.
 */
import { describe, expect, it } from 'vitest';
import { type ContainmentCheck, checkContainment, type Observation } from '../../handlers/core/drift.js';
import type { ActionRecord } from '../../handlers/core/incident.js';
import { incidentFixture } from '../support/incidents.js';

const DETECTED = '2026-11-27T21:00:00.000Z';
const NOW = '2026-11-28T10:00:00.000Z';
const USER = 'iam-user:0123456789abcdef';

function console(answer: Observation) {
  const step = (over: Partial<ActionRecord>): ActionRecord => ({
    id: `x:${USER}`,
    type: 'x',
    target: USER,
    status: 'done',
    mode: 'plan',
    findingId: 'f',
    at: DETECTED,
    ...over,
  });
  const incident = incidentFixture({
    detectedAt: DETECTED,
    actions: [
      step({ id: `revoke-user-sessions:${USER}`, type: 'revoke-user-sessions', mode: 'enforce', params: { userName: 'j.jansen' }, steps: [] }),
      step({
        id: `secure-console-sign-in:${USER}`,
        type: 'secure-console-sign-in',
        person: true,
        byHand: { at: NOW, by: 'on-call', what: 'password made anew', recordedAt: NOW },
      }),
    ],
  });
  const reader = { read: async (checks: readonly ContainmentCheck[]) => checks.map(() => answer) };
  return checkContainment([incident], reader, NOW);
}

describe("verify reads a console sign-in's person step (secure-console-sign-in) recorded done", () => {
  it('holds with no password, or one made after the detection; names MFA devices enabled since as a check', async () => {
    const anew = await console({
      read: 'sign-in',
      signIn: { password: { created: '2026-11-28T09:00:00.000Z' }, mfaDevices: [{ enabled: '2026-11-28T09:05:00.000Z' }] },
    });
    expect(anew.resources).toEqual([
      expect.objectContaining({
        resource: `console password and MFA devices of IAM user ${USER}`,
        state: 'in-place',
        actual:
          'console password made anew at 2026-11-28T09:00:00.000Z, after the detection; 1 MFA device(s) enabled since the detection or at a time not known (2026-11-28T09:05:00.000Z)',
        todo: expect.stringContaining("check each MFA device enabled since is the owner's"),
      }),
    ]);
    const none = await console({ read: 'sign-in', signIn: { password: null, mfaDevices: [{ enabled: '2026-01-01T00:00:00.000Z' }] } });
    expect(none.resources).toEqual([
      expect.objectContaining({
        state: 'in-place',
        actual: 'no console password: it cannot sign in to the console; 1 MFA device(s), enabled before the detection',
      }),
    ]);
  });

  it('a password made before the detection is not known, never in place: IAM does not show a change', async () => {
    const before = await console({ read: 'sign-in', signIn: { password: { created: '2026-01-01T00:00:00.000Z' }, mfaDevices: [] } });
    expect(before.resources).toEqual([
      expect.objectContaining({
        state: 'unreadable',
        actual: expect.stringContaining('before the detection: IAM does not show whether it was changed since'),
        todo: expect.stringContaining('make it anew (aws iam delete-login-profile, then create-login-profile --password-reset-required) or delete it'),
      }),
    ]);
    expect(JSON.stringify(before)).not.toContain('j.jansen');
  });
});

describe("verify reads an open deactivate-user-keys step as AWS shows the user's keys (cont26 item 2)", () => {
  const incident = (status: ActionRecord['status']) =>
    incidentFixture({
      detectedAt: DETECTED,
      actions: [
        {
          id: `revoke-user-sessions:${USER}`,
          type: 'revoke-user-sessions',
          target: USER,
          status: 'done',
          mode: 'enforce',
          findingId: 'f',
          at: DETECTED,
          params: { userName: 'j.jansen' },
        },
        { id: `deactivate-user-keys:${USER}`, type: 'deactivate-user-keys', target: USER, status, mode: 'plan', findingId: 'f', at: DETECTED, person: true },
      ],
    });
  const keys = (list: { id: string; status: string }[]): Observation => ({
    read: 'user-keys',
    keys: list.map((k) => ({ ...k, created: '2026-01-01T00:00:00.000Z' })),
  });
  const read = (i: ReturnType<typeof incident>, answer: Observation) =>
    checkContainment([i], { read: async (checks: readonly ContainmentCheck[]) => checks.map(() => answer) }, NOW);

  it('no Active key left (another incident deactivated it): says so with the command that records it; the step stays open', async () => {
    const i = incident('planned');
    const r = await read(i, keys([{ id: 'AKIAUSERKEY000000001', status: 'Inactive' }]));
    expect(r.open).toEqual([
      {
        incidentId: i.id,
        actionId: `deactivate-user-keys:${USER}`,
        actual: expect.stringContaining('open, but the user has no Active long-term key (Inactive: AKIAUSERKEY000000001): no key can make its sessions now'),
        todo: expect.stringContaining(`datalek contained ${i.id} --action deactivate-user-keys:${USER} --key AKIAUSERKEY000000001 --what TEXT --target aws`),
      },
    ]);
    // Not a verdict on the record: nothing drifted, and the step is not closed.
    expect(r.resources.filter((x) => x.actionId.startsWith('deactivate-user-keys'))).toEqual([]);
    expect(i.actions[1].status).toBe('planned');
    expect(JSON.stringify(r)).not.toContain('j.jansen');
  });

  it('an Active key: named as one that may have made the sessions; nothing read once the step is decided or closed', async () => {
    const r = await read(incident('planned'), keys([{ id: 'AKIAUSERKEY000000002', status: 'Active' }]));
    expect(r.open?.[0].actual).toContain('open: the user has 1 Active long-term key(s), one of which may have made the sessions: AKIAUSERKEY000000002');
    expect((await read(incident('skipped'), keys([]))).open).toBeUndefined();
    expect((await read({ ...incident('planned'), state: 'closed' }, keys([]))).open).toBeUndefined();
  });
});

describe('verify reads an open contain-credential-source step as AWS shows the instance (cont26)', () => {
  const incident = incidentFixture({
    detectedAt: DETECTED,
    actions: [
      {
        id: 'contain-credential-source:i-0abc',
        type: 'contain-credential-source',
        target: 'i-0abc',
        status: 'planned',
        mode: 'plan',
        findingId: 'f',
        at: DETECTED,
        person: true,
      },
    ],
  });
  const instance = (over: Partial<Extract<Observation, { read: 'credential-source' }>>): Observation => ({
    read: 'credential-source',
    state: 'running',
    profile: 'arn:aws:iam::123456789012:instance-profile/web',
    httpTokens: 'optional',
    httpEndpoint: 'enabled',
    hopLimit: 1,
    interfaces: 1,
    isolated: false,
    ...over,
  });
  const read = (answer: Observation) => checkContainment([incident], { read: async (checks: readonly ContainmentCheck[]) => checks.map(() => answer) }, NOW);

  it('cut off already (an isolation of it): says so with the command that records it; else NOT CONTAINED, the step to do', async () => {
    const isolated = await read(instance({ isolated: true }));
    expect(isolated.open).toEqual([
      {
        incidentId: incident.id,
        actionId: 'contain-credential-source:i-0abc',
        actual: 'open, but AWS shows it cut off already: every network interface in groups with no rule (isolated)',
        todo: expect.stringContaining(`record it: datalek contained ${incident.id} --action contain-credential-source:i-0abc --what TEXT`),
      },
    ]);
    expect(isolated.resources).toEqual([]);
    const open = await read(instance({}));
    expect(open.open?.[0].actual).toMatch(/^open: NOT CONTAINED, running, instance profile arn:aws:iam::123456789012:instance-profile\/web, IMDSv1 allowed/);
  });
});

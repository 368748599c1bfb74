/**
 * fg15 item 3 (last stop's "Still left", FG): a federated user's principal id is `account:name`, the
 * name its caller chose (often a person's, containment.ts credentialStep). A finding naming one with
 * no access key (a console sign-in) made it the incident's resource, unmarked as personal, and the
 * target of its containment step: the FG's and on-call's messages said "Getroffen resource:
 * IAM-identiteit 111122223333:j.jansen" and "gefedereerde gebruiker inperken (handmatig)
 * 111122223333:j.jansen", and the step's target was the name, where minimise cannot reach it. Now
 * the resource is marked personal (messages leave it out, as an IAM user's name), and the step is
 * named by a pseudonym of the principal, the principal itself in its params, which a person reads
 * in the record and minimise removes (minimise.ts IAM_NAME_FIELDS).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionId } from '../../handlers/core/containment.js';
import type { Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { ACCOUNT, findingEvent, REGION } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

const PRINCIPAL = '111122223333:j.jansen';

describe('fg15 item 3: a federated user’s principal stays out of messages and containment targets', () => {
  let t: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    t = tempSqliteStore();
  });
  afterEach(async () => t.cleanup());

  it('leaves the name out of the FG’s and on-call’s messages, and names the step by a pseudonym', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const event = findingEvent({
      id: 'f-console',
      type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
      resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: PRINCIPAL, userType: 'FederatedUser', userName: 'j.jansen' } },
    } as never);
    const id = (await recordEvent(deps, event)).incidentId as string;
    const incident = (await t.store.getIncident(id)) as Incident;
    expect(incident.resource).toMatchObject({ kind: 'iam-principal', id: PRINCIPAL, personal: true });
    const messages = await t.store.listMessages(id);
    expect(messages.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
    for (const m of messages) expect(`${m.subject}\n${m.body}`).not.toContain('jansen');
    const step = incident.actions.find((a) => a.type === 'contain-federated-user');
    expect(step?.target).toMatch(/^federated-user:[0-9a-f]{12}$/);
    expect(step?.params?.principalId).toBe(PRINCIPAL);
  });

  it('an incident opened before 9d20192, its step targeted at the principal, gets no second step for it (readC15 C2)', async () => {
    const deps = { store: t.store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const consoleLogin = (id: string) =>
      findingEvent({
        id,
        type: 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B',
        resource: { resourceType: 'AccessKey', accessKeyDetails: { principalId: PRINCIPAL, userType: 'FederatedUser', userName: 'j.jansen' } },
      } as never);
    const id = (await recordEvent(deps, consoleLogin('f-console-1'))).incidentId as string;
    // As code before 9d20192 stored it: the step's target the principal itself, its id from that.
    const stored = (await t.store.getIncident(id)) as Incident;
    const old = structuredClone(stored);
    for (const a of old.actions)
      if (a.type === 'contain-federated-user') {
        a.target = PRINCIPAL;
        delete a.params;
        a.id = actionId(a, { accountId: ACCOUNT, region: REGION });
      }
    old.revision = stored.revision + 1;
    await t.store.commit({ incident: old, expectedRevision: stored.revision, timeline: [], messages: [] });

    const again = await recordEvent({ ...deps, now: () => '2026-11-28T04:00:00.000Z' }, consoleLogin('f-console-2'));
    expect(again.incidentId).toBe(id);
    const steps = ((await t.store.getIncident(id)) as Incident).actions.filter((a) => a.type === 'contain-federated-user');
    expect(
      steps.map((a) => a.target),
      'one step for the one principal: the old one',
    ).toEqual([PRINCIPAL]);
  });
});

/**
 * The contain function decides for itself what it may carry out (review2 S7), on moto: the incident
 * record is written by functions that parse attacker-influenced finding text (record-finding) or
 * hold table-wide writes (notify, sweep, acknowledge), so an "enforce" in the record is only a
 * request. What the contain function carries out is what its own policy (or a replay's explicit
 * --enforce) calls for on the incident's own findings, in the account they name; anything else is
 * refused, recorded, told and logged for the alarm, and no AWS call touches the target.
 */
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import type { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { LOG_METRICS } from '../../handlers/adapters/aws/table-schema.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { runContainment } from '../../handlers/core/contain.js';
import type { ActionRecord, Incident } from '../../handlers/core/incident.js';
import { DEFAULT_POLICY, type Policy, parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import { containmentWorld } from '../support/containment-world.js';
import { buildScenario } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';
import { capturingLogger } from '../support/logs.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

const ACCOUNT = '123456789012';
const ENFORCING = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });

describe.skipIf(!MOTO_AVAILABLE)('the contain function decides what it may enforce', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let store: DynamoDbIncidentStore;
  let containment: AwsContainment;
  let n = 0;

  beforeAll(async () => {
    const { factory, ...world } = await containmentWorld(ACCOUNT);
    ({ moto, store, c } = world);
    containment = new AwsContainment(factory);
  });
  afterAll(async () => moto?.stop());

  const now = () => new Date().toISOString();

  async function record(instanceId: string, policy: Policy, forceEnforce = false): Promise<Incident> {
    n += 1;
    const result = await recordEvent(
      { store, policy, now, canEnforce: true, forceEnforce },
      // Not a !DNS finding: one action, the isolation (the DNS channel step has tests of its own).
      findingEvent({ id: `trust-${Date.now()}-${n}`, type: 'Backdoor:EC2/C&CActivity.B', accountId: ACCOUNT, resource: instanceResource(instanceId) }),
    );
    return (await store.getIncident(result.incidentId as string)) as Incident;
  }

  const groupsOf = async (instanceId: string) =>
    ((await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }))).NetworkInterfaces ?? [])
      .map((e) => `${e.NetworkInterfaceId}:${(e.Groups ?? []).map((g) => g.GroupId).sort()}`)
      .sort();

  /** The contain Lambda's handler with the given policy, its log lines captured. */
  async function lambdaRun(incidentId: string, policy: Policy) {
    const lines: string[] = [];
    const contain = createContainHandler({
      store,
      notifier: { deliver: async () => {} },
      publisher: { publish: async () => {} },
      policy,
      logger: capturingLogger(lines),
      now,
      containment,
    });
    const value = await contain({ id: `evt-${incidentId}`, detail: { incidentId } }).catch((err: Error) => err);
    return { value, lines: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  const forged = (over: Partial<ActionRecord> & { type: string; target: string; findingId: string }): ActionRecord => ({
    id: `${over.type}:${over.target}`,
    status: 'planned',
    mode: 'enforce',
    at: now(),
    ...over,
  });

  it('refuses enforced actions an all-plan policy and the finding do not call for: recorded, told to on-call, logged for the alarm, nothing touched', async () => {
    const own = await buildScenario(c);
    const victim = await buildScenario(c);
    const before = { own: await groupsOf(own.instanceId), victim: await groupsOf(victim.instanceId) };
    const incident = await record(own.instanceId, DEFAULT_POLICY);
    expect(incident.actions.map((a) => `${a.type}:${a.mode}`)).toEqual(['isolate-instance:plan']);
    const findingId = incident.actions[0].findingId;

    // What code running in a function that may write incident items can do: turn the planned
    // action to "enforce", and add actions on targets the finding never named.
    await changeIncident({ store, now, policy: DEFAULT_POLICY }, incident.id, (draft) => {
      draft.actions[0].mode = 'enforce';
      draft.actions.push(forged({ type: 'isolate-instance', target: victim.instanceId, findingId }));
      draft.actions.push(forged({ type: 'contain-lambda-function', target: 'datalek-notify-function', findingId }));
      draft.actions.push(forged({ type: 'revoke-role-sessions', target: 'datalek-record-finding', findingId: 'f-not-stored' }));
      return { entries: [] };
    });

    const run = await lambdaRun(incident.id, DEFAULT_POLICY);
    expect(run.value).not.toBeInstanceOf(Error); // a refusal is final: no retry
    expect(await groupsOf(own.instanceId)).toEqual(before.own);
    expect(await groupsOf(victim.instanceId)).toEqual(before.victim);

    const stored = (await store.getIncident(incident.id)) as Incident;
    for (const a of stored.actions) {
      expect(a).toMatchObject({ status: 'failed', mode: 'plan' });
      expect(a.reason).toMatch(/^refused by the contain function, not carried out: /);
      expect(a.steps ?? []).toEqual([]);
    }
    expect(stored.actions[0].reason).toMatch(/the policy this run loaded does not enforce isolate-instance/);
    expect(stored.actions[1].reason).toMatch(/does not call for isolate-instance on this target/);
    expect(stored.actions[3].reason).toMatch(/no finding f-not-stored is stored/);
    const refusals = (await store.getTimeline(incident.id)).filter((e) => e.kind === 'containment-refused');
    expect(refusals.map((e) => e.detail.target)).toEqual([own.instanceId, victim.instanceId, 'datalek-notify-function', 'datalek-record-finding']);
    const told = (await store.listMessages(incident.id)).filter((m) => m.kind === 'containment-failed');
    // Told once for the run, not once per action.
    expect(told.map((m) => m.channel).sort()).toEqual(['fg', 'on-call']);
    for (const m of told) expect(m.body).toContain('Deze ronde: 4 acties mislukt.');
    const logged = run.lines.find((l) => l[LOG_METRICS.containmentRefused] !== undefined);
    expect(logged?.[LOG_METRICS.containmentRefused]).toBe(4);

    // Refused once: the next event does nothing more.
    const again = await lambdaRun(incident.id, DEFAULT_POLICY);
    expect(again.value).toEqual({ actions: [] });
  });

  it('refuses an incident written for another account around a real finding: no role in that account is assumed', async () => {
    const own = await buildScenario(c);
    const real = await record(own.instanceId, ENFORCING);
    const id = 'dl-forgedacct01';
    const other = incidentFixture({
      id,
      accountId: '999988887777',
      actions: [forged({ type: 'isolate-instance', target: own.instanceId, findingId: real.actions[0].findingId })],
    });
    await store.commit({ incident: other, expectedRevision: null, timeline: [], messages: [] });
    const result = await runContainment({ store, policy: ENFORCING, now, containment }, id);
    expect(result.refused.map((r) => r.reason)).toEqual([expect.stringMatching(/is stored for account 999988887777/)]);
    expect(result.actions[0].status).toBe('failed');

    // Naming where the real finding is stored does not help: it belongs to another incident.
    const pointed = incidentFixture({
      id: 'dl-forgedacct02',
      accountId: '999988887777',
      actions: [forged({ type: 'isolate-instance', target: own.instanceId, findingId: real.actions[0].findingId, findingAccountId: ACCOUNT })],
    });
    await store.commit({ incident: pointed, expectedRevision: null, timeline: [], messages: [] });
    const again = await runContainment({ store, policy: ENFORCING, now, containment }, pointed.id);
    expect(again.refused.map((r) => r.reason)).toEqual([`finding ${real.actions[0].findingId} belongs to incident ${real.id}, not to this one`]);
  });

  it('carries out what its own policy enforces on the finding’s resource, and a replay’s --enforce only in that replay', async () => {
    const enforced = await buildScenario(c);
    const untouched = await groupsOf(enforced.instanceId);
    const byPolicy = await record(enforced.instanceId, ENFORCING);
    expect((await lambdaRun(byPolicy.id, ENFORCING)).value).toMatchObject({ actions: [{ type: 'isolate-instance', status: 'done' }] });
    expect(await groupsOf(enforced.instanceId)).not.toEqual(untouched);

    // `replay --target aws --enforce` under an all-plan policy: the replay carries it out; the
    // contain function, whose policy plans it, does not.
    const replayed = await buildScenario(c);
    const replay = await record(replayed.instanceId, DEFAULT_POLICY, true);
    expect(replay.actions[0].mode).toBe('enforce');
    const done = await runContainment({ store, policy: DEFAULT_POLICY, now, containment, forceEnforce: true }, replay.id);
    expect(done.actions).toMatchObject([{ type: 'isolate-instance', status: 'done' }]);

    const left = await buildScenario(c);
    const notByLambda = await record(left.instanceId, DEFAULT_POLICY, true);
    const before = await groupsOf(left.instanceId);
    await lambdaRun(notByLambda.id, DEFAULT_POLICY);
    expect(await groupsOf(left.instanceId)).toEqual(before);
    expect(((await store.getIncident(notByLambda.id)) as Incident).actions[0].reason).toMatch(
      /only a replay run with --enforce carries out what the policy plans/,
    );
  });
});

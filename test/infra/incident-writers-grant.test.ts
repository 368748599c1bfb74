/**
 * Only record-finding may write a finding item (review3 attack §1): the contain function re-plans
 * each enforced action from the stored finding (core/contain.ts `enforcementRefusal`), so notify,
 * sweep, acknowledge and contain, which hold the commit grant on the incidents table, must not be
 * able to rewrite `FND#…`/`FINDING` and aim containment.
 *
 * moto enforces no IAM, so this is checked as link-grant-requests.test.ts checks the link: every
 * DynamoDB request each function's work really sends (recorded on the wire, on moto) is evaluated
 * against that function's synthesized role statements (test/infra/dynamodb-iam.ts, a model of
 * IAM's documented evaluation: each item of a TransactWriteItems as its own PutItem). They are all
 * allowed; the forger's put of a finding item, and of a resource lock or registry item, is not.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { acknowledge } from '../../handlers/core/acknowledge.js';
import { runContainment } from '../../handlers/core/contain.js';
import { deliverPending } from '../../handlers/core/deliver.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { sweep } from '../../handlers/core/sweep.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { incidentFixture, storeInstanceFinding } from '../support/incidents.js';
import { DEPLOY_CONTEXT, roleStatements, type Statement, synthesizedApp } from '../support/infra.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { type Authorization, allowed, authorizationsOf, recordingClient, type SentRequest } from './dynamodb-iam.js';

const BASE = { partition: 'aws', region: DEPLOY_CONTEXT.region, account: DEPLOY_CONTEXT.account };
const TABLE = 'datalek-incidents';
const TABLE_ARN = `arn:aws:dynamodb:${BASE.region}:${BASE.account}:table/${TABLE}`;
const policy = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
const WRITERS = ['contain', 'notify', 'acknowledge', 'sweep'] as const;

/** A put of one item, as IAM is asked for it inside a commit's transaction. */
function put(pk: string): Authorization {
  return {
    action: 'dynamodb:PutItem',
    resource: TABLE_ARN,
    context: { 'dynamodb:LeadingKeys': [pk], 'dynamodb:Attributes': ['pk', 'sk', 'incidentId', 'data'], 'dynamodb:ReturnValues': 'NONE' },
    what: `PutItem ${pk}`,
  };
}

describe.skipIf(!MOTO_AVAILABLE)('who may write a finding item', () => {
  let moto: Moto;
  let roles: Record<(typeof WRITERS)[number] | 'record', Statement[][]>;
  const sent: SentRequest[] = [];
  let setupStore: DynamoDbIncidentStore;
  let recorded: DynamoDbIncidentStore;

  beforeAll(async () => {
    const t = Template.fromStack(synthesizedApp().response);
    const of = (handler: string) => [roleStatements(t, `datalek-${handler}-function`)];
    roles = { record: of('record-finding'), notify: of('notify'), sweep: of('sweep'), acknowledge: of('acknowledge'), contain: of('contain') };
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    setupStore = new DynamoDbIncidentStore(moto.clients.dynamodb, TABLE);
    const client = recordingClient(moto.endpoint, sent);
    recorded = new DynamoDbIncidentStore(client, TABLE);
  }, 180_000);

  afterAll(async () => {
    await moto?.stop();
  });

  /** The authorizations `work` asked for through the recording store. */
  async function asked(work: () => Promise<unknown>): Promise<Authorization[]> {
    sent.length = 0;
    await work();
    return sent.flatMap((r) => authorizationsOf(r.operation, r.body, BASE));
  }

  it('allows each function the requests its own work sends, and none of them a finding, a lock or the registry', { timeout: 120_000 }, async () => {
    const at = (minutes: number) => new Date(Date.parse('2026-11-28T03:00:00.000Z') + minutes * 60_000).toISOString();
    const event = findingEvent({
      id: 'grant-writers',
      type: 'Backdoor:EC2/C&CActivity.B',
      severity: 8,
      resource: instanceResource('i-0grant'),
      createdAt: at(0),
    });
    const recordAsked = await asked(() => recordEvent({ store: recorded, policy, now: () => at(1), canEnforce: true }, event));
    expect(recordAsked.some((a) => a.action === 'dynamodb:PutItem' && a.what.startsWith('PutItem FND#'))).toBe(true);
    const id = (await setupStore.listIncidents())[0].id;

    const adapter: Containment = {
      canEnforce: true,
      async execute(action, ctx) {
        await ctx.record({ name: action.type, status: 'done', at: at(2) });
      },
      async release() {},
    };
    const work: Record<(typeof WRITERS)[number], () => Promise<unknown>> = {
      contain: () => runContainment({ store: recorded, policy, now: () => at(2), containment: adapter }, id),
      notify: () => deliverPending({ store: recorded, policy, now: () => at(3), notifier: { deliver: async () => undefined } }, { incidentId: id }),
      acknowledge: () => acknowledge({ store: recorded, policy, now: () => at(4) }, { incidentId: id, by: 'Anna' }),
      // Past the deadline's reminders: the sweep commits a reminder and sends it.
      sweep: () => sweep({ store: recorded, policy, now: () => at(60 * 71) }),
    };
    const byWriter: Record<string, Authorization[]> = { record: recordAsked };
    for (const writer of WRITERS) byWriter[writer] = await asked(work[writer]);
    // Each wrote something, so the grant was put to the test.
    for (const writer of WRITERS)
      expect(
        byWriter[writer].some((a) => a.action !== 'dynamodb:GetItem' && a.action.match(/Put|Update/)),
        writer,
      ).toBeTruthy();
    for (const [writer, authorizations] of Object.entries(byWriter))
      for (const a of authorizations) expect(allowed(a, roles[writer as keyof typeof roles], BASE), `${writer}: ${a.what}`).toBe(true);

    const forged = ['FND#111122223333/eu-west-1/grant-writers', 'RES#instance:111122223333:i-0victim', 'REG#0'];
    for (const writer of WRITERS) for (const pk of forged) expect(allowed(put(pk), roles[writer], BASE), `${writer}: PutItem ${pk}`).toBe(false);
    // The same puts, alone or inside a commit with the incident's own items.
    for (const writer of WRITERS) {
      const commit = authorizationsOf(
        'TransactWriteItems',
        {
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk: { S: `INC#${id}` }, sk: { S: 'INCIDENT' } } } },
            { Put: { TableName: TABLE, Item: { pk: { S: forged[0] }, sk: { S: 'FINDING' } } } },
          ],
        },
        BASE,
      );
      expect(
        commit.map((a) => allowed(a, roles[writer], BASE)),
        writer,
      ).toEqual([true, false]);
    }
    expect(allowed(put(forged[0]), roles.record, BASE)).toBe(true);
  });

  it('allows the contain function’s take of a resource another incident holds the key of: the lock and its holder read by key, both records in one commit', {
    timeout: 120_000,
  }, async () => {
    const holder = incidentFixture({ id: 'dl-grant-holder' });
    const instance = holder.resource.id;
    const action = {
      id: `isolate-instance:${instance}`,
      type: 'isolate-instance',
      target: instance,
      status: 'planned',
      mode: 'enforce',
      at: holder.openedAt,
    } as const;
    const linked = incidentFixture({ id: 'dl-grant-linked' });
    for (const incident of [holder, linked]) {
      await setupStore.commit({
        incident: { ...incident, actions: [{ ...action, findingId: `f-grant-${incident.id}` }] },
        expectedRevision: null,
        timeline: [],
        messages: [],
      });
      await storeInstanceFinding(setupStore, incident.id, `f-grant-${incident.id}`, instance);
    }
    const adapter: Containment = {
      canEnforce: true,
      execute: async (a, ctx) => ctx.record({ name: a.type, status: 'done', at: holder.openedAt }),
      release: async () => {},
    };
    const authorizations = await asked(() => runContainment({ store: recorded, policy, now: () => holder.openedAt, containment: adapter }, linked.id));
    expect(authorizations.some((a) => a.what.includes(`INC#${holder.id}`) && a.action !== 'dynamodb:GetItem')).toBe(true);
    for (const a of authorizations) expect(allowed(a, roles.contain, BASE), a.what).toBe(true);
    expect((await setupStore.getIncident(holder.id))?.containedBy?.map((n) => n.incidentId)).toEqual([linked.id]);
  });
});

import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecurityGroupCommand, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContainmentClientFactory, type ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../../handlers/adapters/aws/containment/index.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { createContainHandler } from '../../handlers/lambda/contain.js';
import { createNotifyHandler } from '../../handlers/lambda/notify.js';
import { createRecordHandler } from '../../handlers/lambda/record.js';
import type { EventPublisher } from '../../handlers/ports/event-publisher.js';
import type { Notifier } from '../../handlers/ports/notifier.js';
import { drain, inbox, lambdaContext, type Pipeline, wirePipeline } from '../support/aws-pipeline.js';
import { anImageId, buildVpc, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { accessKeyResource, findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

/**
 * An instance in a VPC of its own, one interface and group: what this file's containment test
 * isolates. No Auto Scaling group, load balancer or second interface (the containment tests have
 * those); the test checks the pipeline's hand-offs and what the FG is told.
 */
async function plainInstance(c: ContainmentClients) {
  const { vpcId, subnetId } = await buildVpc(c);
  const group = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: 'app', Description: 'app', VpcId: vpcId }))).GroupId as string;
  const imageId = await anImageId(c.ec2);
  const run = await c.ec2.send(
    new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: 1, MaxCount: 1, SubnetId: subnetId, SecurityGroupIds: [group] }),
  );
  const instanceId = run.Instances?.[0]?.InstanceId as string;
  await showOwnInterfaceGroups(c.ec2, [instanceId]);
  return { instanceId };
}

describe.skipIf(!MOTO_AVAILABLE)('the AWS pipeline on moto', () => {
  let moto: Moto;
  let p: Pipeline;
  let n = 0;
  /** A finding id of its own per test, on its own resource: tests share one moto. */
  const fresh = () => {
    n += 1;
    return { id: `moto-${Date.now()}-${n}`, instanceId: `i-moto${Date.now()}${n}` };
  };

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env); // containment builds its clients per affected account
    p = await wirePipeline(moto);
  });
  afterAll(async () => moto?.stop());
  beforeEach(async () => p.purge());

  it('routes a High finding through the rule, records it in DynamoDB and sends the FG one Dutch message', async () => {
    const f = fresh();
    await p.putFindings([findingEvent({ ...f, severity: 7.2 })]);
    const [result] = await drain(p, createRecordHandler({ ...p.deps, persistenceStore: p.persistence }));
    expect(result).toMatchObject({ outcome: 'opened', findingId: f.id, severity: 7.2, deadline: '2026-11-30T21:00:00.000Z' });

    const incident = await p.deps.store.getIncident(result.incidentId as string);
    expect(incident).toMatchObject({ state: 'open', accountId: '111122223333', detectedAt: '2026-11-27T21:00:00.000Z', awareAt: '2026-11-27T21:00:00.000Z' });
    // A !DNS finding: beside the isolation, the step that blocks the DNS channel isolation leaves open.
    expect(incident?.actions).toMatchObject([
      { type: 'isolate-instance', status: 'planned' },
      { type: 'block-dns-channel', status: 'planned', person: true },
    ]);
    const timeline = await p.deps.store.getTimeline(result.incidentId as string);
    expect(timeline[0]).toMatchObject({ seq: 1, kind: 'incident-opened' });

    const fg = await inbox(p, 'fg');
    expect(fg).toHaveLength(1);
    expect(fg[0].Subject).toBe(`[datalek hoog] Mogelijk datalek: Backdoor:EC2/C&CActivity.B!DNS ${result.incidentId}`);
    expect(fg[0].Message).toContain(`Incident: ${result.incidentId}`);
    expect(fg[0].Message).toContain(`Getroffen resource: EC2-instantie ${f.instanceId}`);
    expect(fg[0].Message).toContain('AP-termijn (72 uur na bewustwording): 2026-11-30 22:00 CET (2026-11-30T21:00:00Z)');
    expect(fg[0].Message).toContain('Draaiboek: runbooks/fg-assessment.md');
    expect(fg[0].MessageAttributes.severity.Value).toBe('7.2');
    expect(fg[0].MessageAttributes.sample.Value).toBe('false');
    expect(fg[0].MessageAttributes.incidentId.Value).toBe(result.incidentId);
    const onCall = await inbox(p, 'onCall');
    // Over SNS's 99 characters: shortened before the incident id, which stays whole.
    expect(onCall.map((m) => m.Subject)).toEqual([`[datalek hoog] Beveiligingsincident: Backdoor:EC2/C&CActivity.~ ${result.incidentId}`]);
  });

  it('does not route findings below the threshold or of another detail-type', async () => {
    await p.putFindings([findingEvent({ ...fresh(), severity: 3 }), { ...findingEvent(fresh()), 'detail-type': 'GuardDuty Runtime Protection Unhealthy' }]);
    expect(await p.receive(p.queues.findings)).toEqual([]);
  });

  it('carries out enforced containment in the contain handler and tells the FG the outcome', async () => {
    const s = await plainInstance(await new ContainmentClientFactory('eu-west-1', 'datalek-containment').clientsFor('123456789012', 'eu-west-1', 'x'));
    const policy = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
    const deps = { ...p.deps, policy };
    // Not a !DNS finding: the isolation alone (the DNS channel step has tests of its own).
    await p.putFindings([
      findingEvent({ id: `enforce-${Date.now()}`, type: 'Backdoor:EC2/C&CActivity.B', accountId: '123456789012', resource: instanceResource(s.instanceId) }),
    ]);
    const [body] = await p.receive(p.queues.findings);
    const result = await createRecordHandler({ ...deps, persistenceStore: p.persistence, canEnforce: true })(JSON.parse(body.body), lambdaContext());
    const contain = createContainHandler({ ...deps, containment: new AwsContainment(new ContainmentClientFactory('eu-west-1', 'datalek-containment')) });
    const notify = createNotifyHandler(deps);
    // Both handlers subscribe to the incident events; the containment outcome is an event of its own.
    for (let round = 0; round < 2; round++) {
      for (const m of await p.receive(p.queues.domain)) {
        const event = JSON.parse(m.body);
        if (event['detail-type'] === 'Incident Opened') await contain(event);
        await notify(event);
      }
    }
    const incident = await p.deps.store.getIncident(result.incidentId as string);
    expect(incident?.actions[0]).toMatchObject({ type: 'isolate-instance', mode: 'enforce', status: 'done' });
    const fg = await inbox(p, 'fg');
    expect(fg.map((m) => m.Subject.split(':')[0])).toEqual(['[datalek hoog] Mogelijk datalek', '[datalek hoog] Inperking uitgevoerd']);
    expect(fg[1].Message).toContain(`EC2-instantie isoleren ${s.instanceId}: uitgevoerd`);
    // The FG is told what the isolation left open, never that the instance is cut off altogether.
    expect(fg[1].Message).toContain('de DNS-resolver van Amazon, de metadataservice en Amazon Time Sync blijven bereikbaar');
    expect(fg[1].Message).toMatch(/isolate-eni:eni-\w+: uitgevoerd/);
  });

  it('leaves the IP addresses and user names of a finding out of the messages', async () => {
    const f = fresh();
    await p.putFindings([
      findingEvent({ id: f.id, type: 'CredentialAccess:IAMUser/AnomalousBehavior', resource: accessKeyResource(`AKIA${n}MOTO`, 'IAMUser', 'jan.jansen') }),
    ]);
    await drain(p, createRecordHandler({ ...p.deps, persistenceStore: p.persistence }));
    const [fg] = await inbox(p, 'fg');
    expect(fg.Message).toContain(`toegangssleutel AKIA${n}MOTO`);
    expect(fg.Message).not.toContain('jan.jansen');
    expect(fg.Message).not.toContain('c2.example');
    expect(fg.Message).toContain('Weggelaten: IP-adressen, gebruikersnamen');
  });

  it('logs identifiers and outcomes, never the event: no IP address, user name or command line', async () => {
    const f = fresh();
    const event = findingEvent({
      id: f.id,
      type: 'CredentialAccess:IAMUser/AnomalousBehavior',
      resource: accessKeyResource(`AKIA${n}LOG`, 'IAMUser', 'piet.pietersen'),
    });
    (event.detail.service as Record<string, unknown>).action = {
      actionType: 'AWS_API_CALL',
      awsApiCallAction: { remoteIpDetails: { ipAddressV4: '203.0.113.99' } },
    };
    const written: string[] = [];
    const streams = [process.stdout, process.stderr];
    const originals = streams.map((s) => s.write);
    for (const stream of streams) {
      const original = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        written.push(String(chunk));
        return (original as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof stream.write;
    }
    try {
      const record = createRecordHandler({ ...p.deps, persistenceStore: p.persistence });
      await record(event, lambdaContext());
      await record({ ...event, detail: { ...event.detail, severity: 'x' } }, lambdaContext()).catch(() => {});
    } finally {
      streams.forEach((s, i) => {
        s.write = originals[i];
      });
    }
    const log = written.join('');
    expect(log).toContain('recorded a finding');
    expect(log).toContain(f.id);
    expect(log).toContain('rejected a GuardDuty event');
    expect(log).not.toContain('203.0.113.99');
    expect(log).not.toContain('piet.pietersen');
  });

  it('opens one incident and sends one FG message for ten concurrent deliveries of one finding', async () => {
    const f = fresh();
    await p.putFindings(Array.from({ length: 10 }, () => findingEvent(f)));
    const bodies = await p.receive(p.queues.findings);
    expect(bodies).toHaveLength(10);
    const record = createRecordHandler({ ...p.deps, persistenceStore: p.persistence });
    const settled = await Promise.allSettled(bodies.map((b) => record(JSON.parse(b.body), lambdaContext())));
    // Deliveries that found the first still in progress are refused, as Lambda would retry them.
    const done = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const s of settled) if (s.status === 'rejected') expect((s.reason as Error).name).toBe('IdempotencyAlreadyInProgressError');
    const retried = await Promise.all(settled.filter((s) => s.status === 'rejected').map((_, i) => record(JSON.parse(bodies[i].body), lambdaContext())));
    const all = [...done, ...retried];
    expect(all).toHaveLength(10);
    expect(new Set(all.map((r) => r.incidentId)).size).toBe(1);
    expect(all.filter((r) => r.outcome === 'opened')).toHaveLength(10); // the stored result of the one run
    const notify = createNotifyHandler(p.deps);
    await Promise.all((await p.receive(p.queues.domain)).map((m) => notify(JSON.parse(m.body))));
    expect(await inbox(p, 'fg')).toHaveLength(1);
    const open = (await p.deps.store.listIncidents({ openOnly: true })).filter((i) => i.firstFinding.findingId === f.id);
    expect(open).toHaveLength(1);
  });

  it('reaches the same end state when the handler crashes between the commit and the publish', async () => {
    const f = fresh();
    await p.putFindings([findingEvent(f)]);
    const [body] = await p.receive(p.queues.findings);
    let calls = 0;
    const flaky: EventPublisher = {
      publish: async (events) => {
        calls += 1;
        if (calls === 1) throw new Error('injected: crash after the commit, before the publish');
        await p.deps.publisher.publish(events);
      },
    };
    const record = createRecordHandler({ ...p.deps, publisher: flaky, persistenceStore: p.persistence });
    await expect(record(JSON.parse(body.body), lambdaContext())).rejects.toThrow(/injected/);
    expect(await p.receive(p.queues.domain)).toEqual([]); // nothing announced yet
    const retry = await record(JSON.parse(body.body), lambdaContext());
    expect(retry.outcome).toBe('duplicate'); // the commit had happened; the retry publishes
    await drain(p, record);
    expect(await inbox(p, 'fg')).toHaveLength(1);
    const incident = await p.deps.store.getIncident(retry.incidentId as string);
    expect(incident?.findings).toBe(1);
    expect((await p.deps.store.getTimeline(incident?.id as string)).filter((e) => e.kind === 'incident-opened')).toHaveLength(1);
  });

  it('keeps a message pending when SNS fails, and sends it once on the retry', async () => {
    const f = fresh();
    await p.putFindings([findingEvent(f)]);
    let failing = true;
    const flaky: Notifier = {
      deliver: async (m) => {
        if (failing && m.channel === 'fg') throw new Error('injected: SNS throttled');
        await p.deps.notifier.deliver(m);
      },
    };
    const [body] = await p.receive(p.queues.findings);
    const result = await createRecordHandler({ ...p.deps, persistenceStore: p.persistence })(JSON.parse(body.body), lambdaContext());
    const [domainEvent] = await p.receive(p.queues.domain);
    // The clock moves on past the failed sender's claim, as a retry minutes later would.
    let now = new Date().toISOString();
    const notify = createNotifyHandler({ ...p.deps, notifier: flaky, now: () => now });
    await expect(notify(JSON.parse(domainEvent.body))).rejects.toThrow(/not delivered: injected: SNS throttled/);
    failing = false;
    now = new Date(Date.now() + 6 * 60_000).toISOString();
    await notify(JSON.parse(domainEvent.body));
    await notify(JSON.parse(domainEvent.body));
    const fg = await inbox(p, 'fg');
    expect(fg.map((m) => m.MessageAttributes.incidentId.Value)).toEqual([result.incidentId]);
    expect(await inbox(p, 'onCall')).toHaveLength(1);
  });

  it('answers a repeated delivery of the same version from the idempotency record, without touching the incident', async () => {
    const f = fresh();
    await p.putFindings([findingEvent(f), findingEvent(f)]);
    const results = await drain(p, createRecordHandler({ ...p.deps, persistenceStore: p.persistence }));
    expect(results.map((r) => r.outcome)).toEqual(['opened', 'opened']);
    const incident = await p.deps.store.getIncident(results[0].incidentId as string);
    expect(incident?.revision).toBe(1);
    expect(await inbox(p, 'fg')).toHaveLength(1);
  });

  it('remembers a delivery longer than EventBridge and Lambda retry it, and refuses different content under the same version', async () => {
    const f = fresh();
    const record = createRecordHandler({ ...p.deps, persistenceStore: p.persistence });
    const first = await record(findingEvent(f), lambdaContext());
    expect(first.outcome).toBe('opened');
    const items = (await moto.clients.dynamodb.send(new ScanCommand({ TableName: p.config.idempotencyTable }))).Items ?? [];
    const expirations = items.map((i) => Number(i.expiration?.N));
    expect(expirations.length).toBeGreaterThan(0);
    // EventBridge retries for 24 hours, Lambda an asynchronous event for 6 more.
    for (const e of expirations) expect(e).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000) + 30 * 3600);
    // Same finding id, updatedAt and count, but another severity: not the same delivery.
    await expect(record(findingEvent({ ...f, severity: 9.9 }), lambdaContext())).rejects.toMatchObject({ name: 'IdempotencyValidationError' });
    const incident = await p.deps.store.getIncident(first.incidentId as string);
    expect(incident?.severity).toBe(8);
  });
});

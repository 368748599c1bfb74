/**
 * The handlers as they are deployed: bundled by infra/bundling.ts (ES modules split into chunks)
 * and run in a Node process of their own against moto, as Lambda loads them. A finding recorded
 * by the record-finding bundle is contained by the contain bundle, which loads the EC2 client's
 * chunk only then, and announced by the notify bundle.
 *
 * And what each function loads at start: not the SNS or EventBridge client a run may not use.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainmentClientFactory } from '../../handlers/adapters/aws/containment/clients.js';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { bundleHandler, bundleSizes, startInputs } from '../../infra/bundling.js';
import { spawnNode } from '../support/cli.js';
import { buildScenario } from '../support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const ACCOUNT = '123456789012';

/** Runs `script` (an ES module) in a process of its own with `env`; what it prints is JSON. */
function runNode(script: string, env: NodeJS.ProcessEnv) {
  return spawnNode(['--enable-source-maps', script], { env });
}

/** Where the handlers are bundled, each once for the file (esbuild takes a second or two of CPU a bundle). */
let bundleDir: string;
const bundles = new Map<string, Metafile>();
beforeAll(() => {
  bundleDir = mkdtempSync(join(tmpdir(), 'datalek-bundles-'));
});
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

/** `handler` bundled into `bundleDir/<handler>`, and esbuild's account of it. */
function bundled(handler: string): Metafile {
  let metafile = bundles.get(handler);
  if (!metafile) {
    metafile = bundleHandler(handler, join(bundleDir, handler));
    bundles.set(handler, metafile);
  }
  return metafile;
}

describe.skipIf(!MOTO_AVAILABLE)('the deployed bundles, on moto', () => {
  let moto: Moto;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    moto = await startMoto();
    Object.assign(process.env, moto.env); // the scenario's clients, made here, find moto there
    const resources = await setupAwsResources(moto.clients);
    dir = mkdtempSync(join(tmpdir(), 'datalek-bundles-'));
    env = {
      PATH: process.env.PATH,
      ...moto.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      DATALEK_TABLE: resources.table,
      DATALEK_IDEMPOTENCY_TABLE: resources.idempotencyTable,
      DATALEK_FG_TOPIC_ARN: resources.fgTopicArn,
      DATALEK_ON_CALL_TOPIC_ARN: resources.onCallTopicArn,
      DATALEK_BUS_NAME: resources.busName,
      DATALEK_POLICY: JSON.stringify({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } }),
    };
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('record-finding, contain and notify run from their bundles; contain loads the EC2 client only when it isolates', async () => {
    const contain = bundled('contain');
    for (const name of ['record-finding', 'notify']) bundled(name);
    // The EC2 client's code is not among what the contain function loads at start.
    const sizes = bundleSizes(contain);
    expect(sizes.lazyBytes).toBeGreaterThan(500_000);
    expect(sizes.startBytes).toBeLessThan(sizes.lazyBytes);

    const clients = await new ContainmentClientFactory('eu-west-1', 'datalek-containment').clientsFor(ACCOUNT, 'eu-west-1', 'bundles');
    const s = await buildScenario(clients);
    // Not a !DNS finding: contain runs the isolation alone (its policy's one rule).
    const event = findingEvent({
      id: `bundle-${Date.now()}`,
      type: 'Backdoor:EC2/C&CActivity.B',
      accountId: ACCOUNT,
      resource: instanceResource(s.instanceId),
    });
    const script = join(dir, 'run.mjs');
    writeFileSync(
      script,
      `const context = { awsRequestId: 'r-1', functionName: 'test', getRemainingTimeInMillis: () => 120000 };
const load = (name) => import(${JSON.stringify(`${bundleDir}/`)} + name + '/index.mjs').then((m) => m.handler);
const [record, contain, notify] = await Promise.all(['record-finding', 'contain', 'notify'].map(load));
const recorded = await record(${JSON.stringify(event)}, context);
const incident = { 'detail-type': 'Incident Opened', id: 'ev-1', detail: { incidentId: recorded.incidentId } };
const contained = await contain(incident, context);
const notified = await notify({ 'detail-type': 'Containment Done', detail: { incidentId: recorded.incidentId } });
console.log(JSON.stringify({ recorded, contained, notified }));
`,
    );
    const run = await runNode(script, env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    expect(out.recorded).toMatchObject({ outcome: 'opened', actions: [{ type: 'isolate-instance', status: 'planned' }] });
    expect(out.contained.actions).toEqual([expect.objectContaining({ type: 'isolate-instance', target: s.instanceId, status: 'done' })]);
    expect(out.notified.sent).toBeGreaterThanOrEqual(2);

    const incident = await new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents').getIncident(out.recorded.incidentId);
    expect(incident?.actions[0]).toMatchObject({ status: 'done' });
    const enis = await clients.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [s.instanceId] }] }));
    const isolation = (incident?.actions[0].evidence?.groups as { isolation: string } | undefined)?.isolation;
    expect(isolation).toMatch(/^sg-/);
    expect(enis.NetworkInterfaces).toHaveLength(2);
    for (const eni of enis.NetworkInterfaces ?? []) expect((eni.Groups ?? []).map((g) => g.GroupId)).toContain(isolation);
  }, 180_000);
});

describe('what a function loads at start', () => {
  // A client loaded at cold start and never used makes every cold start slower (issue #14).
  it('loads the SNS client only where every run sends, the EventBridge client only where every run publishes', () => {
    const clientsAtStart = (handler: string) => {
      const inputs = [...startInputs(bundled(handler))];
      return ['client-sns', 'client-eventbridge'].filter((client) => inputs.some((i) => i.includes(`/@aws-sdk/${client}/`)));
    };
    expect(clientsAtStart('record-finding')).toEqual(['client-eventbridge']);
    expect(clientsAtStart('notify')).toEqual(['client-sns']);
    // A sweep with nothing due sends and publishes nothing.
    expect(clientsAtStart('sweep')).toEqual([]);
  }, 120_000);

  // The policy's schema is built when its module loads: the anchor reads no policy and delivers nothing.
  it('does not load the policy where the function reads none (the anchor)', () => {
    const loadsPolicy = (handler: string) => [...startInputs(bundled(handler))].some((i) => i.endsWith('handlers/core/policy.ts'));
    expect(loadsPolicy('anchor')).toBe(false);
    expect(loadsPolicy('notify')).toBe(true);
  }, 120_000);
});

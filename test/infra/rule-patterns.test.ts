/**
 * The synthesized rule patterns, run on moto's EventBridge (its TestEventPattern does not really match, so
 * each pattern gets a real rule with a queue as target, and the events are put on the bus).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.js';
import { WATCH_RULE_NAME } from '../../infra/constructs/pipeline-watch.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const EVENTS = join(import.meta.dirname, '../../events');
/** CloudTrail management events as EventBridge delivers them, one per call (shaped after CloudTrail's record of each API). */
const CLOUDTRAIL = join(import.meta.dirname, 'cloudtrail');

/** Which calls page through the watch rule: in the central region, and in a forwarder region (no datalek functions or DatalekResponse rules there). */
const WATCHED: Record<string, { central: boolean; forwarder: boolean }> = {
  '01-disable-finding-rule.json': { central: true, forwarder: false },
  '02-delete-notify-rule-on-datalek-bus.json': { central: true, forwarder: false },
  '03-remove-targets-of-forward-rule.json': { central: true, forwarder: true },
  '04-put-rule-disabled.json': { central: true, forwarder: false },
  '05-put-rule-enabled-by-a-deploy.json': { central: false, forwarder: false },
  '06-disable-another-teams-rule.json': { central: false, forwarder: false },
  '07-suspend-guardduty-detector.json': { central: true, forwarder: true },
  '08-enable-guardduty-detector.json': { central: false, forwarder: false },
  '09-delete-guardduty-detector.json': { central: true, forwarder: true },
  '10-publishing-frequency-six-hours.json': { central: true, forwarder: true },
  '11-disassociate-member.json': { central: true, forwarder: true },
  '12-suppression-rule-archives-findings.json': { central: true, forwarder: true },
  '13-filter-that-only-saves-a-view.json': { central: false, forwarder: false },
  '14-read-the-detector.json': { central: false, forwarder: false },
  '15-record-function-concurrency-zero-by-arn.json': { central: true, forwarder: false },
  '16-record-function-concurrency-five.json': { central: false, forwarder: false },
  '17-another-function-concurrency-zero.json': { central: false, forwarder: false },
  '18-delete-record-function.json': { central: true, forwarder: false },
  '19-remove-eventbridge-permission.json': { central: true, forwarder: false },
};

/** Which events/ inputs the GuardDuty rule routes: `detail-type` GuardDuty Finding and severity >= 4 as a number. */
const ROUTED_BY_FINDING_RULE: Record<string, boolean> = {
  '01-ec2-backdoor-command-and-control-high.json#0': true,
  '02-ec2-backdoor-command-and-control-update-count-3.json#0': true,
  '03-ec2-backdoor-command-and-control-duplicate-delivery.json#0': true,
  '04-ec2-backdoor-command-and-control-late-older-version.json#0': true,
  '05-ec2-same-instance-bitcoin-tool-attached.json#0': true,
  '06-iam-instance-credentials-used-outside-aws-assumed-role.json#0': true,
  '07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json#0': true,
  '08-s3-bucket-made-public-anonymous-access.json#0': true,
  '09-s3-anomalous-reads-medium-notify-only.json#0': true,
  '10-eks-cluster-anonymous-access-granted.json#0': true,
  '11-rds-successful-brute-force-login-delegated-admin.json#0': true,
  '12-lambda-bitcoin-mining-envelope-without-account.json#0': true,
  '13-runtime-reverse-shell-on-instance-without-profile.json#0': true,
  '14-attack-sequence-s3-compromised-data-critical-9.5.json#0': true,
  '15-malware-protection-ebs-scan-malicious-file.json#0': true,
  '16-ec2-ssh-brute-force-target-low-severity.json#0': false, // severity 2
  '17-archived-port-probe-finding.json#0': true, // routed; the handler ignores it as archived
  '18-sample-finding-from-generate-sample-findings.json#0': true,
  '19-unknown-future-finding-type-and-resource.json#0': true,
  '20-not-a-finding-malware-object-scan-result.json#0': false, // another detail-type
  '21-malformed-severity-is-a-string.json#0': false, // "8" is a string: numeric matching refuses it
  '25-batch-of-two-ecs-and-container-runtime-findings.json#0': true,
  '25-batch-of-two-ecs-and-container-runtime-findings.json#1': true,
  '26-iam-user-temporary-credentials-anomalous-high.json#0': true,
  '27-federated-user-anomalous-exfiltration.json#0': true,
  '28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json#0': true,
  '29-ec2-tor-client-outbound-reported-as-target.json#0': true,
  '30-ec2-emr-port-probe-high-instance-only-probed.json#0': true,
  '31-ecs-fargate-task-crypto-miner-runtime.json#0': true,
  '32-eks-worker-node-runtime-reverse-shell.json#0': true,
  '33-lambda-function-tor-client.json#0': true,
  '34-s3-exfiltration-through-long-term-key-private-bucket.json#0': true,
  '35-s3-object-malware-upload.json#0': true,
  '36-backup-ebs-snapshot-malware.json#0': true,
  '37-backup-ami-malware.json#0': true,
  '38-backup-s3-recovery-point-malware.json#0': true,
  '39-critical-sequence-with-empty-strings-in-unused-blocks.json#0': true,
  '40-low-port-probe-on-instance-with-open-incident.json#0': false, // severity 2
};

/** The events/ inputs that can be put on a bus at all (envelopes), by `<file>#<index>`. */
function busEvents(): Map<string, { source: string; 'detail-type': string; detail: unknown }> {
  const out = new Map();
  for (const file of readdirSync(EVENTS).filter((f) => f.endsWith('.json'))) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(join(EVENTS, file), 'utf8'));
    } catch {
      continue; // not JSON: nothing to put
    }
    [value].flat().forEach((e, i) => {
      const ev = e as Record<string, unknown>;
      if (typeof ev.source === 'string' && typeof ev['detail-type'] === 'string' && ev.detail) out.set(`${file}#${i}`, ev);
    });
  }
  return out;
}

describe.skipIf(!MOTO_AVAILABLE)('the synthesized rule patterns on moto', () => {
  let moto: Moto;
  const patterns: Record<string, unknown> = {};
  const watchPatterns: Record<'central' | 'forwarder', unknown> = { central: undefined, forwarder: undefined };

  beforeAll(async () => {
    moto = await startMoto();
    const { response, forwarders } = buildApp({
      region: 'eu-west-1',
      forwardFrom: 'eu-north-1',
      breakGlassRole: 'datalek-break-glass',
      'aws:cdk:bundling-stacks': [],
    });
    const rules = (t: Template) => Object.entries(t.findResources('AWS::Events::Rule')).filter(([, r]) => r.Properties.EventPattern);
    const watch = (t: Template) => rules(t).filter(([, r]) => r.Properties.Name === WATCH_RULE_NAME);
    for (const [id, rule] of [...rules(Template.fromStack(response)), ...rules(Template.fromStack(forwarders[0]))]) {
      if (rule.Properties.Name !== WATCH_RULE_NAME) patterns[id] = rule.Properties.EventPattern;
    }
    for (const [where, stack] of [
      ['central', response],
      ['forwarder', forwarders[0]],
    ] as const) {
      const [[, rule]] = watch(Template.fromStack(stack));
      watchPatterns[where] = rule.Properties.EventPattern;
    }
  });
  afterAll(async () => moto?.stop());

  /** Puts the entries on a fresh bus whose one rule has `pattern`; returns the ids that reached the queue. */
  async function routed(name: string, pattern: unknown, entries: { id: string; source: string; detailType: string; detail: unknown }[]): Promise<string[]> {
    const bus = `rules-${name}`.slice(0, 60);
    await moto.clients.eventbridge.send(new CreateEventBusCommand({ Name: bus }));
    const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: bus }));
    const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.eventbridge.send(new PutRuleCommand({ Name: bus, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
    await moto.clients.eventbridge.send(new PutTargetsCommand({ Rule: bus, EventBusName: bus, Targets: [{ Id: 'q', Arn: arn }] }));
    for (const e of entries) {
      // The test id rides along in `resources`, so the queue tells which event arrived.
      await moto.clients.eventbridge.send(
        new PutEventsCommand({
          Entries: [{ EventBusName: bus, Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail), Resources: [`test:${e.id}`] }],
        }),
      );
    }
    const got: string[] = [];
    for (;;) {
      const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) break;
      for (const m of out.Messages) got.push((JSON.parse(m.Body as string).resources as string[])[0].slice(5));
    }
    return got.sort();
  }

  const findingRuleIds = () => Object.keys(patterns).filter((id) => JSON.stringify(patterns[id]).includes('GuardDuty Finding'));

  it('has the GuardDuty rule in the central region and in the forwarder', () => {
    expect(findingRuleIds()).toHaveLength(2);
  });

  it('routes exactly the documented events/ files, in both rules', async () => {
    const entries = [...busEvents()].map(([id, e]) => ({ id, source: e.source, detailType: e['detail-type'], detail: e.detail }));
    expect(entries.map((e) => e.id).sort()).toEqual(Object.keys(ROUTED_BY_FINDING_RULE).sort());
    const expected = Object.entries(ROUTED_BY_FINDING_RULE)
      .filter(([, r]) => r)
      .map(([id]) => id)
      .sort();
    for (const id of findingRuleIds()) expect(await routed(`events-${id}`, patterns[id], entries)).toEqual(expected);
    // moto delivers each put event to the rule's queue in about half a second: 38 events, two rules.
  }, 120_000);

  it('routes 7.2 and 9.5 and not 3.0', async () => {
    const entries = [7.2, 9.5, 3.0, 8.9, 4].map((severity) => {
      const e = findingEvent({ id: `sev-${severity}`, severity });
      return { id: `severity-${severity}`, source: e.source, detailType: e['detail-type'], detail: e.detail };
    });
    for (const id of findingRuleIds()) {
      expect(await routed(`sev-${id}`, patterns[id], entries)).toEqual(['severity-4', 'severity-7.2', 'severity-8.9', 'severity-9.5']);
    }
  });

  it('routes the pipeline events each handler reacts to, and only those', async () => {
    const types = ['Incident Opened', 'Incident Updated', 'Incident Acknowledged', 'Containment Done', 'Containment Failed', 'Reminder Due'];
    const entries = types.map((t) => ({ id: t.replace(/ /g, '-'), source: 'datalek', detailType: t, detail: { incidentId: 'dl-0123456789', revision: 1 } }));
    const byRule = Object.fromEntries(
      await Promise.all(
        Object.keys(patterns)
          .filter((id) => JSON.stringify(patterns[id]).includes('"datalek"'))
          .map(async (id) => [id.replace(/Rule.*$/, ''), await routed(`domain-${id}`, patterns[id], entries)]),
      ),
    );
    expect(byRule).toEqual({
      NotifyRoute: ['Containment-Done', 'Containment-Failed', 'Incident-Acknowledged', 'Incident-Opened', 'Incident-Updated', 'Reminder-Due'],
      ContainRoute: ['Incident-Opened', 'Incident-Updated'],
    });
  });
  it('pages on exactly the calls that stop findings from arriving: datalek rules and functions, the GuardDuty detector, members, suppression', async () => {
    const files = readdirSync(CLOUDTRAIL).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(WATCHED).sort());
    const entries = files.map((file) => {
      const e = JSON.parse(readFileSync(join(CLOUDTRAIL, file), 'utf8'));
      return { id: file, source: e.source, detailType: e['detail-type'], detail: e.detail };
    });
    for (const where of ['central', 'forwarder'] as const) {
      const expected = files.filter((f) => WATCHED[f][where]).sort();
      expect(await routed(`watch-${where}`, watchPatterns[where], entries), where).toEqual(expected);
    }
  }, 120_000);
});

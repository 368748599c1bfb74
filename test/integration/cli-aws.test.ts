import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, spawnCli } from '../support/cli.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('the CLI with --target aws, on moto', () => {
  let moto: Moto;
  let fgQueue: string;
  const cli = (args: string[]) => spawnCli([...args, '--target', 'aws'], moto.env);

  async function fgMessages(): Promise<string[]> {
    const subjects: string[] = [];
    for (;;) {
      const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: fgQueue, MaxNumberOfMessages: 10 }));
      if (!out.Messages?.length) return subjects;
      subjects.push(...out.Messages.map((m) => JSON.parse(m.Body as string).Subject as string));
    }
  }

  beforeAll(async () => {
    moto = await startMoto();
    const setup = await cli(['setup', '--json']);
    expect(setup.code, setup.stderr).toBe(0);
    const { fgTopicArn } = JSON.parse(setup.stdout);
    const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: 'cli-fg' }));
    fgQueue = QueueUrl as string;
    const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
    await moto.clients.sns.send(new SubscribeCommand({ TopicArn: fgTopicArn, Protocol: 'sqs', Endpoint: arn }));
  });
  afterAll(async () => moto?.stop());

  it('sets up idempotently', async () => {
    const again = await cli(['setup']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Everything already existed.');
  });

  it('replays events/ into DynamoDB and SNS, and sends no second FG message when replayed again', async () => {
    const first = await cli(['replay', 'events', '--json', '--now', '2026-11-28T08:00:00Z']);
    expect(first.code, first.stderr).toBe(1); // the malformed examples
    const outcomes = jsonLines(first.stdout).map((l) => l.outcome);
    // events/06 (the instance's role credentials used outside AWS) joins events/01's incident (f334bc73).
    expect(outcomes.filter((o) => o === 'opened')).toHaveLength(27);
    const sent = await fgMessages();
    expect(sent.length).toBeGreaterThanOrEqual(12);
    expect(sent.some((s) => s.startsWith('[TEST]'))).toBe(true);

    const second = await cli(['replay', 'events', '--json', '--now', '2026-11-28T09:00:00Z']);
    expect(jsonLines(second.stdout).map((l) => l.outcome)).not.toContain('opened');
    expect(await fgMessages()).toEqual([]);
  });

  it('shows status, acknowledges and sweeps on the same data', async () => {
    const status = await cli(['status', '--json']);
    const incidents = JSON.parse(status.stdout);
    // 27 opened, one of them merged into another by the attack sequence of events/28.
    expect(incidents).toHaveLength(26);
    const id = incidents[0].incidentId;
    const ack = await cli(['ack', id, '--by', 'anna', '--now', '2026-11-28T08:30:00Z']);
    expect(ack.stdout).toContain(`Acknowledged ${id} as anna`);
    const show = JSON.parse((await cli(['show', id, '--json'])).stdout);
    expect(show).toMatchObject({ incidentId: id, state: 'acknowledged', acknowledgedBy: 'anna' });
    expect(show.timeline.at(-1)).toMatchObject({ kind: 'acknowledged', actor: 'anna' });
    const sweep = await cli(['sweep', '--json', '--now', '2026-11-28T10:00:00Z']);
    const items = JSON.parse(sweep.stdout);
    expect(items.length).toBeGreaterThan(0);
    expect(JSON.parse((await cli(['sweep', '--json', '--now', '2026-11-28T10:00:00Z'])).stdout)).toEqual([]);
    expect((await cli(['verify'])).code).toBe(0);
  }, 120_000); // a CLI process per step, and a sweep over every incident of events/ on moto

  it('answers an unknown incident with exit 2', async () => {
    const r = await cli(['show', 'dl-0000000000']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('datalek: no incident with id "dl-0000000000"');
  });
});

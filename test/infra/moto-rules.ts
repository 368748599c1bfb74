/**
 * Rule patterns on moto's EventBridge: its TestEventPattern does not really match, so a pattern
 * gets a real rule on a bus of its own with a queue as target, and the events are put on the bus.
 */
import { CreateEventBusCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Moto } from '../support/moto.js';

/**
 * The event once per element of each array of objects in it (recursively, every combination).
 * EventBridge matches a pattern's field inside an array of objects when one element has it
 * (`features: {status: ["DISABLED"]}` on `features: [{…}, {…}]`), all of a pattern's fields from
 * the same element; moto does not look into such arrays. Each variant holds one element in the
 * array's place, so moto matches a variant exactly when EventBridge matches the event.
 */
export function arrayVariants(value: unknown): unknown[] {
  if (Array.isArray(value)) {
    if (!value.length || !value.every((v) => v && typeof v === 'object')) return [value];
    return value.flatMap(arrayVariants);
  }
  if (!value || typeof value !== 'object') return [value];
  let out: Record<string, unknown>[] = [{}];
  for (const [k, v] of Object.entries(value)) out = out.flatMap((o) => arrayVariants(v).map((variant) => ({ ...o, [k]: variant })));
  return out;
}

export interface BusEntry {
  id: string;
  source: string;
  detailType: string;
  detail: unknown;
}

/**
 * Puts the entries on a fresh bus named after `name` whose one rule has `pattern`; returns the ids
 * that reached the queue. `arrays`: each entry as its `arrayVariants` (the CloudTrail calls; a
 * finding's arrays would make hundreds of variants, and no finding pattern looks into them).
 */
export async function routed(moto: Moto, name: string, pattern: unknown, entries: BusEntry[], arrays = false): Promise<string[]> {
  const bus = `rules-${name}`.slice(0, 60);
  await moto.clients.eventbridge.send(new CreateEventBusCommand({ Name: bus }));
  const { QueueUrl } = await moto.clients.sqs.send(new CreateQueueCommand({ QueueName: bus }));
  const arn = (await moto.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  await moto.clients.eventbridge.send(new PutRuleCommand({ Name: bus, EventBusName: bus, EventPattern: JSON.stringify(pattern) }));
  await moto.clients.eventbridge.send(new PutTargetsCommand({ Rule: bus, EventBusName: bus, Targets: [{ Id: 'q', Arn: arn }] }));
  // The test id rides along in `resources`, so the queue tells which event arrived.
  const puts = entries.flatMap((e) =>
    (arrays ? arrayVariants(e.detail) : [e.detail]).map((detail) => ({
      EventBusName: bus,
      Source: e.source,
      DetailType: e.detailType,
      Detail: JSON.stringify(detail),
      Resources: [`test:${e.id}`],
    })),
  );
  // Ten at a time, as many as PutEvents takes: one call per event made these files slow.
  for (let i = 0; i < puts.length; i += 10) {
    const out = await moto.clients.eventbridge.send(new PutEventsCommand({ Entries: puts.slice(i, i + 10) }));
    if (out.FailedEntryCount) throw new Error(`moto refused ${out.FailedEntryCount} of the events put on ${bus}`);
  }
  const got = new Set<string>();
  for (;;) {
    const out = await moto.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    if (!out.Messages?.length) break;
    for (const m of out.Messages) got.add((JSON.parse(m.Body as string).resources as string[])[0].slice(5));
  }
  return [...got].sort();
}

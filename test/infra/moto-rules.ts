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
 * The whole event as the queue's message, as a target without a transformer gets it, but for one
 * JSONPath moto parses per delivered event instead of its default's eight: moto builds a new
 * JSONPath parser for each (about 0.05 s), which made these files slow, not the puts. The path
 * itself is unused (moto falls back to its eight for an empty map).
 */
const WHOLE_EVENT = { InputPathsMap: { id: '$.id' }, InputTemplate: '<aws.events.event.json>' };

/**
 * Puts the entries once on a fresh bus named after `name` with one rule per distinct pattern, each with a
 * queue of its own as target; returns, by pattern key, the ids that reached its queue. `arrays`:
 * each entry as its `arrayVariants` (the CloudTrail calls; a finding's arrays would make hundreds
 * of variants, and no finding pattern looks into them). One bus for all the patterns, as on AWS:
 * each event is put once, whatever the number of rules.
 */
export async function routedByPattern(
  moto: Moto,
  name: string,
  patterns: Record<string, unknown>,
  entries: BusEntry[],
  arrays = false,
): Promise<Record<string, string[]>> {
  const bus = `rules-${name}`.slice(0, 60);
  const { eventbridge, sqs } = moto.clients;
  patterns = forMoto(patterns);
  await eventbridge.send(new CreateEventBusCommand({ Name: bus }));
  // Patterns alike (a rule of the central region and its forwarder's) route alike: one rule for them.
  const distinct = [...new Set(Object.values(patterns).map((p) => JSON.stringify(p)))];
  const queues = await Promise.all(
    distinct.map(async (pattern, i) => {
      const rule = `${bus}-${i}`;
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: rule }));
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
      await eventbridge.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: pattern }));
      await eventbridge.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: 'q', Arn: arn, InputTransformer: WHOLE_EVENT }] }));
      return [pattern, QueueUrl as string] as const;
    }),
  );
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
  // Ten at a time, as many as PutEvents takes, all the calls at once: moto delivers each event to
  // the matching rules' queues before it answers.
  const batches = Array.from({ length: Math.ceil(puts.length / 10) }, (_, i) => puts.slice(i * 10, i * 10 + 10));
  await Promise.all(
    batches.map(async (batch) => {
      const out = await eventbridge.send(new PutEventsCommand({ Entries: batch }));
      if (out.FailedEntryCount) throw new Error(`moto refused ${out.FailedEntryCount} of the events put on ${bus}`);
    }),
  );
  const drained = await Promise.all(
    queues.map(async ([pattern, QueueUrl]) => {
      const got = new Set<string>();
      for (;;) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
        if (!out.Messages?.length) break;
        for (const m of out.Messages) got.add((JSON.parse(m.Body as string).resources as string[])[0].slice(5));
      }
      return [pattern, [...got].sort()] as const;
    }),
  );
  const byPattern = Object.fromEntries(drained);
  return Object.fromEntries(Object.entries(patterns).map(([key, pattern]) => [key, byPattern[JSON.stringify(pattern)]]));
}

/**
 * The patterns as moto can run them (deploy20). A central watch rule that pages each call takes the
 * pipeline account's calls only (`account`), and its member twin every other account's
 * (`account: [{ "anything-but": … }]`, constructs/member-pages.ts). moto gives every event put
 * on it its own account, whichever account made the call: here the rule's `account` is left out and
 * its twin, the same pattern otherwise, is left out whole (no queue, so no ids). Which account
 * each takes is read on the templates (test/infra/member-pages.test.ts).
 */
function forMoto(patterns: Record<string, unknown>): Record<string, unknown> {
  const isTwin = (p: unknown) => {
    const account = (p as { account?: unknown } | null)?.account;
    return Array.isArray(account) && account.some((a) => a && typeof a === 'object' && 'anything-but' in a);
  };
  return Object.fromEntries(
    Object.entries(patterns)
      .filter(([, p]) => !isTwin(p))
      .map(([key, p]) => {
        if (!p || typeof p !== 'object' || !('account' in p)) return [key, p];
        const { account: _account, ...rest } = p as Record<string, unknown>;
        return [key, rest];
      }),
  );
}

/** `routedByPattern` for one pattern: the ids that reached its queue. */
export async function routed(moto: Moto, name: string, pattern: unknown, entries: BusEntry[], arrays = false): Promise<string[]> {
  return (await routedByPattern(moto, name, { pattern }, entries, arrays)).pattern;
}

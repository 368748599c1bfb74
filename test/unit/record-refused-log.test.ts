/**
 * A finding whose commit the store refuses as it is (`StoreRefusedError`: DynamoDB's item size, a
 * value the embedded store cannot take) fails the record function, and Lambda keeps the event in
 * the function's dead-letter queue after its retries. The log says why, in one line of its own:
 * the finding's and the incident's ids and the store's reason, never the event's content. The
 * store here is the embedded one, refusing the finding with SQLite's own error (a trigger).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StoreRefusedError } from '../../handlers/core/errors.js';
import { findingEvent } from '../support/events.js';
import { errorLines } from '../support/logs.js';
import { loggedRecordHandler } from '../support/record-handler.js';
import { refuseFinding, tempSqliteStore } from '../support/store.js';

const SECRET_IP = '198.51.100.77';
const SECRET_NAME = 'piet.pietersen';

let t: ReturnType<typeof tempSqliteStore>;
beforeEach(() => {
  t = tempSqliteStore();
});
afterEach(async () => t.cleanup());

it('logs one line naming the finding, the incident and the store’s reason, and nothing of the event', async () => {
  refuseFinding(t.dir, 'too-big');
  const lines: string[] = [];
  const record = loggedRecordHandler(t.store, lines, '2026-11-28T00:00:00.000Z');
  const event = findingEvent({ id: 'too-big', service: { additionalInfo: { value: `${SECRET_NAME} from ${SECRET_IP}` } } });
  const err = await record(event, { awsRequestId: 'r', functionName: 'record', getRemainingTimeInMillis: () => 30_000 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(StoreRefusedError);
  const errors = errorLines(lines);
  expect(errors).toHaveLength(1);
  const line = JSON.parse(errors[0]) as Record<string, unknown>;
  expect(line).toMatchObject({ findingId: 'too-big', incidentId: (err as StoreRefusedError).incidentId });
  expect(line.incidentId).toMatch(/^dl-/);
  expect(line.reason).toMatch(/SQLITE_TOOBIG/);
  expect(line.message).toMatch(/refused.*dead-letter queue/);
  expect(lines.join('\n')).not.toContain(SECRET_IP);
  expect(lines.join('\n')).not.toContain(SECRET_NAME);
});

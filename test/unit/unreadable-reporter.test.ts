/**
 * The lists' reporter (status, register): an incident whose bytes cannot be read is named with
 * `datalek verify`, and an item indexed among the incidents that is no incident record (a message
 * re-keyed as one, c6774c4) is named as what it is, not as an incident that cannot be read. Either
 * makes the command exit 3.
 */
import { expect, it } from 'vitest';
import { type Context, unreadableReporter } from '../../handlers/cli/context.js';

function reporter() {
  const err: string[] = [];
  const ctx = { io: { out: () => {}, err: (s: string) => err.push(s) } } as unknown as Context;
  return { err, r: unreadableReporter(ctx) };
}

it('an unreadable incident is named with verify; the command exits 3', () => {
  const { err, r } = reporter();
  r.onUnreadable({ incidentId: 'dl-1', reason: 'its record is not valid JSON' });
  expect(err).toEqual(['datalek: incident dl-1 cannot be read from the store (its record is not valid JSON); it is left out: datalek verify dl-1']);
  expect(r.exitCode(0)).toBe(3);
});

it('an item that is no incident record is named as such, not as an incident that cannot be read; the command exits 3', () => {
  const { err, r } = reporter();
  const reason =
    'message MSG#x is indexed among the incidents, but it is no incident record: it is left out (an index entry the pipeline did not write; datalek verify names it)';
  r.onUnreadable({ incidentId: 'dl-2', reason, notAnIncident: true });
  expect(err).toEqual([`datalek: incident dl-2: ${reason}`]);
  expect(err[0]).not.toContain('cannot be read');
  expect(r.exitCode(0)).toBe(3);
});

it('nothing skipped: the exit code is the command’s own', () => {
  expect(reporter().r.exitCode(0)).toBe(0);
});

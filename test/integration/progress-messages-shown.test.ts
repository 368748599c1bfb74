/**
 * A large replay on a terminal draws a progress line instead of a line per event. The messages it
 * sends were given a notifier that printed nothing, yet were marked sent: the FG's and on-call's
 * "opened" messages of a whole storm recorded as delivered while nobody saw them (as review7 K4
 * found for --json). They are shown on stderr, above the progress line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { main } from '../../handlers/cli.js';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('a replay that shows progress on a terminal still shows every message it marks sent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-progress-'));
  const store = join(dir, 'store');
  // More than 20 files: the progress line is drawn instead of a line per event.
  const at = '2026-11-27T20:00:00.000Z';
  for (let i = 0; i < 21; i++) {
    writeFileSync(
      join(dir, `e${i}.json`),
      JSON.stringify(findingEvent({ id: `progress-${i}`, type: 'Backdoor:EC2/C&CActivity.B', instanceId: `i-progress-${i}`, createdAt: at, updatedAt: at })),
    );
  }
  const files = Array.from({ length: 21 }, (_, i) => join(dir, `e${i}.json`));
  // The progress line is written to the process's stderr itself; kept out of the test's output.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const err: string[] = [];
  const code = await main(['replay', ...files, '--store', store, '--now', '2026-11-28T00:00:00Z'], {
    out: () => {},
    err: (t) => err.push(t),
    errIsTty: true,
    env: {},
    cwd: dir,
  });
  vi.restoreAllMocks();
  expect(code, err.join('\n')).toBe(0);

  const status = JSON.parse((await runCli(['status', '--store', store, '--json'])).stdout) as { incidentId: string }[];
  expect(status).toHaveLength(21);
  let sent = 0;
  for (const { incidentId } of status) {
    const messages = JSON.parse((await runCli(['messages', incidentId, '--store', store, '--json'])).stdout) as {
      id: string;
      channel: string;
      subject: string;
      sentAt: string | null;
    }[];
    for (const m of messages.filter((x) => x.sentAt)) {
      sent += 1;
      expect(err, `${m.id} is marked sent, but the run did not show it`).toContain(`  → ${m.channel === 'fg' ? 'FG' : 'on-call'}: ${m.subject}`);
    }
  }
  expect(sent).toBe(42); // each incident's FG and on-call "opened" message
});

/**
 * review7 K4: on the embedded store a message is delivered by showing it at the terminal (stderr;
 * cron mails it). With `--json` the CLI used to give the notifier a print that dropped every line
 * while still marking the messages sent: `replay --json` and `sweep --json` recorded the FG's and
 * on-call's messages (AP reminders included) as sent while nobody was shown them, and they were
 * never sent again. With --json stdout holds the contract's JSON and nothing else; the messages
 * go to stderr, as without it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { jsonLines, runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

it('a message recorded as sent by replay --json or sweep --json was shown on stderr, and stdout is JSON only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-k4-'));
  const store = join(dir, 'store');
  const events = join(dir, 'events.json');
  // Detected 70 hours ago: the AP deadline is 2 hours away, so reminders are due at once.
  const createdAt = new Date(Date.now() - 70 * 3600_000).toISOString();
  writeFileSync(
    events,
    JSON.stringify([findingEvent({ id: 'k4-1', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-one', createdAt, updatedAt: createdAt })]),
  );
  const replay = await runCli(['replay', events, '--store', store, '--json']);
  expect(replay.code, replay.stderr).toBe(0);
  const lines = jsonLines(replay.stdout);
  expect(lines).toHaveLength(1);
  const id = lines[0].incidentId as string;
  const sweep = await runCli(['sweep', '--store', store, '--json']);
  expect(sweep.code, sweep.stderr).toBe(0);
  const swept = JSON.parse(sweep.stdout) as { kind: string }[];
  expect(swept.length).toBeGreaterThan(0); // e.g. the 4-hour AP reminder

  const messages = JSON.parse((await runCli(['messages', id, '--store', store, '--json'])).stdout) as {
    id: string;
    channel: string;
    subject: string;
    sentAt: string | null;
  }[];
  const sent = messages.filter((m) => m.sentAt);
  // The FG's and on-call's "opened" messages and the due reminders.
  expect(sent.map((m) => m.channel)).toEqual(expect.arrayContaining(['fg', 'on-call']));
  expect(sent.length).toBeGreaterThan(2);
  const shown = `${replay.stderr}\n${sweep.stderr}`;
  for (const m of sent) {
    expect(shown, `${m.id} is marked sent at ${m.sentAt}, but neither run showed it`).toContain(`→ ${m.channel === 'fg' ? 'FG' : 'on-call'}: ${m.subject}`);
  }
});

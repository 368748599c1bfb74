/**
 * A page must reach on-call even when its acknowledgement link cannot be made: the link key is a
 * convenience (two taps instead of a terminal), never a condition for being paged. Probed: the key
 * file is a folder, too short or unreadable; on AWS the secret cannot be read (Secrets Manager
 * down, access denied, the secret deleted). Before the fix the on-call page stayed pending forever
 * and `replay` and `sweep` said nothing and exited 0.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withAckLinks } from '../../handlers/core/link-delivery.js';
import { composeMessage } from '../../handlers/core/messages.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import type { DeliveredMessage } from '../../handlers/ports/notifier.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { incidentFixture } from '../support/incidents.js';

const NOW = '2026-11-28T03:00:00.000Z';
const ID = `dl-${'0123456789abcdef'.repeat(2)}`;

describe('a page whose link cannot be signed', () => {
  const page = () =>
    composeMessage({
      incident: incidentFixture({ id: ID, paging: { firstPageAt: NOW, lastDueAt: null } }),
      channel: 'on-call',
      kind: 'opened',
      stateKey: 'opened',
      now: NOW,
      policy: DEFAULT_POLICY,
    });

  it('still goes out, without a link, saying why and how to acknowledge otherwise', async () => {
    const sent: DeliveredMessage[] = [];
    const problems: string[] = [];
    const notifier = withAckLinks(
      { deliver: async (m) => void sent.push(m) },
      {
        baseUrl: 'https://links.example/',
        key: async () => {
          throw new Error('cannot read secret datalek/ack-link-key: AccessDeniedException');
        },
        onKeyProblem: (message, reason) => problems.push(`${message.id}: ${reason}`),
      },
      DEFAULT_POLICY,
      () => NOW,
    );
    const message = page();
    await notifier.deliver(message);
    expect(sent).toHaveLength(1);
    expect(sent[0].ackUrl).toBeUndefined();
    // The first line says there is no link this time; the page itself follows unchanged.
    expect(sent[0].body.split('\n')[0]).toMatch(/zonder link/i);
    expect(sent[0].body.endsWith(message.body)).toBe(true);
    expect(sent[0].body).toContain(`datalek ack ${ID}`);
    expect(problems).toEqual([`${message.id}: cannot read secret datalek/ack-link-key: AccessDeniedException`]);
  });
});

describe('the CLI with a broken link key file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-nokey-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const messagesOf = async (store: string, id: string) =>
    JSON.parse((await spawnCli(['messages', id, '--store', store, '--json'])).stdout) as { channel: string; sentAt: string | null }[];

  for (const [name, breakKey] of [
    ['a folder where the key file should be', (path: string) => mkdirSync(path)],
    ['a key file too short to sign with', (path: string) => writeFileSync(path, 'short\n')],
  ] as const) {
    it(`pages on-call all the same, and says the link is missing: ${name}`, async () => {
      const store = join(dir, name.replace(/\W+/g, '-'));
      breakKey(`${store}.ack-key`);
      const file = join(dir, `${name.length}.json`);
      writeFileSync(file, JSON.stringify(findingEvent({ id: `nokey-${name.length}`, severity: 8.5 })));
      const out = await spawnCli(['replay', file, '--store', store, '--now', '2026-11-27T21:05:00Z', '--json']);
      expect(out.code).toBe(0);
      const id = JSON.parse(out.stdout.trim()).incidentId as string;
      const messages = await messagesOf(store, id);
      expect(messages.filter((m) => m.channel === 'on-call').map((m) => m.sentAt !== null)).toEqual([true]);
      expect(out.stderr).toMatch(/acknowledgement link key/);
    });
  }
});

/**
 * A drill's pages carry acknowledgement links too, and by default they point at the same place as
 * the real store's (`datalek serve` on 127.0.0.1:8733). With the link key in `DATALEK_ACK_KEY`
 * (one key for every store on the machine), a link a drill printed was valid on the real store:
 * pressing it during the exercise acknowledged the real incident and stopped its real escalation.
 * A drill run days ahead (`--now`) even made links that stayed valid for days there.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAckLink } from '../../handlers/core/ack-link.js';
import { runCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

describe('links printed by a drill', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-drill-links-'));
    const key = join(dir, 'ack-key');
    writeFileSync(key, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    env = { DATALEK_ACK_KEY: key };
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const linksIn = (stderr: string) => [...stderr.matchAll(/\/ack\/([\w-]+\.[\w-]+)/g)].map((m) => m[1]);

  it('never acknowledge on the real store, whatever key the machine shares', async () => {
    const real = join(dir, 'real');
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'drill-link', severity: 8.5, createdAt: '2026-11-20T21:00:00Z' })));
    const replayed = await runCli(['replay', file, '--store', real, '--now', '2026-11-20T21:05:00Z'], env);
    // The real store's own page link is valid with the shared key (it is the real one).
    const realKey = Buffer.from(readFileSync(env.DATALEK_ACK_KEY as string, 'utf8').trim(), 'hex');
    const [own] = linksIn(replayed.stderr);
    expect(verifyAckLink(realKey, own, '2026-11-20T21:06:00Z').ok).toBe(true);

    const drill = join(dir, 'drill');
    expect((await runCli(['drill', '--from', real, '--store', drill], env)).code).toBe(0);
    const swept = await runCli(['sweep', '--store', drill, '--now', '2026-11-20T21:21:00Z'], env);
    const links = linksIn(swept.stderr);
    expect(links.length).toBeGreaterThan(0);
    for (const token of links) expect(verifyAckLink(realKey, token, '2026-11-20T21:22:00Z')).toMatchObject({ ok: false, problem: 'foreign' });
  });
});

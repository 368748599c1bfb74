/**
 * A page's signed acknowledgement link, end to end on the embedded store: `datalek replay` prints
 * the page with its link, `datalek serve` serves the link without the session token, opening it
 * changes nothing, pressing the button acknowledges (once, however many press it at once), and a
 * link that expired, was used, altered, made for another incident or signed elsewhere is refused
 * with a page saying why. Everything else `serve` offers still needs the session.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { form, request, type Served, startServe } from '../support/serve.js';

/**
 * A link expires by the machine's clock too (review5 A1), so the pages are sent at times taken from
 * it: the incidents opened 20 minutes ago (on the minute), the secondary's page 16 minutes after,
 * and `serve` runs at the present; the links end 30 minutes after the opening, 10 from the start.
 */
const MINUTE = 60_000;
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 20 * MINUTE;
const at = (minutes: number) => new Date(BASE + minutes * MINUTE).toISOString();
const T0 = at(0);

describe('acknowledging from a page’s link', () => {
  let dir: string;
  let store: string;
  let served: Served;
  const links: Record<string, string> = {};

  const replay = async (name: string, now = T0) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(findingEvent({ id: name, severity: 8.5, instanceId: `i-${name}`, createdAt: at(-5) })));
    const out = await spawnCli(['replay', file, '--store', store, '--now', now, '--json']);
    const incidentId = JSON.parse(out.stdout.trim()).incidentId as string;
    return incidentId;
  };
  const show = async (id: string) =>
    JSON.parse((await spawnCli(['show', id, '--store', store, '--json'])).stdout) as Record<string, unknown> & {
      timeline: { kind: string; actor: string; detail: Record<string, unknown> }[];
    };
  /** The secondary's page of each incident, as the sweep sends it 15 minutes after the first: its link, printed under its subject. */
  const paths: Record<string, string> = {};
  const linkOf = async (id: string) => paths[id];
  const press = (path: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    request(served, path, { method: 'POST', body: form(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-links-'));
    store = join(dir, 'store');
    for (const name of ['first', 'twice', 'race', 'other']) {
      const id = await replay(name);
      links[name] = id;
    }
    // The link is signed when the page is sent: the sweep prints it under the page's subject.
    const lines = (await spawnCli(['sweep', '--store', store, '--now', at(16)])).stderr.split('\n');
    lines.forEach((line, i) => {
      const id = /dl-[0-9a-f]{32}$/.exec(lines[i - 1] ?? '')?.[0];
      if (id && line.includes('/ack/')) paths[id] = new URL(line.trim()).pathname;
    });
    served = await startServe(['--store', store, '--now', at(20)]);
  }, 60_000);
  afterAll(async () => {
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints the page with its link, and keeps the key beside the store, never in it', async () => {
    const file = join(dir, 'print.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'print', severity: 8.5, instanceId: 'i-print' })));
    const out = await spawnCli(['replay', file, '--store', store, '--now', T0]);
    expect(out.stderr).toMatch(/→ on-call: .*\n {6}http:\/\/127\.0\.0\.1:8733\/ack\/[\w-]+\.[\w-]+\n/);
    expect(readFileSync(`${store}.ack-key`, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    const url = /http:\/\/127\.0\.0\.1:8733(\/ack\/\S+)/.exec(out.stderr)?.[1] as string;
    expect(readFileSync(join(store, 'datalek.sqlite')).includes(Buffer.from(url.split('/ack/')[1]))).toBe(false);
  });

  it('opening the link shows the incident and a button, and acknowledges nothing (a mail scanner, a link preview)', async () => {
    const id = links.first;
    const path = await linkOf(id);
    for (let i = 0; i < 3; i++) {
      const page = await request(served, path);
      expect(page.status).toBe(200);
      expect(page.body).toContain(id);
      expect(page.body).toContain('<button type="submit">Ik pak het op</button>');
      expect(page.body).toContain('Deze link hoort bij de oproep aan secondary, ronde 1.');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).not.toContain('<script');
    }
    expect((await show(id)).acknowledgedBy).toBeNull();
    links.firstPath = path;
  });

  it('pressing the button acknowledges, recorded as from that page with the name given; the AP clock runs on', async () => {
    const id = links.first;
    const before = await show(id);
    const reply = await press(links.firstPath, { by: 'Anna', note: 'ik kijk' });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('Opgepakt. De escalatie stopt; de AP-termijn loopt door.');
    const after = await show(id);
    expect(after).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Anna (from the page to secondary, round 1)', deadline: before.deadline });
    const entry = after.timeline.find((e) => e.kind === 'acknowledged');
    expect(entry?.detail).toEqual({ note: 'ik kijk', via: 'page-link', level: 'secondary', round: 1 });
  });

  it('a used link is refused with a page saying so, and changes nothing', async () => {
    const again = await press(links.firstPath, { by: 'Bob' });
    expect(again.status).toBe(409);
    expect(again.body).toContain('Deze link is al gebruikt: opgepakt om ');
    expect(again.body).not.toContain('Anna');
    expect((await show(links.first)).acknowledgedBy).toBe('Anna (from the page to secondary, round 1)');
    // Opened again, it says the same and offers no button.
    const opened = await request(served, links.firstPath);
    expect(opened.status).toBe(409);
    expect(opened.body).not.toContain('<button');
  });

  it('presses at the same moment acknowledge once', async () => {
    const id = links.race;
    const path = await linkOf(id);
    const replies = await Promise.all(['A', 'B', 'C', 'D', 'E'].map((name) => press(path, { by: name })));
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const acks = (await show(id)).timeline.filter((e) => e.kind === 'acknowledged');
    expect(acks).toHaveLength(1);
  });

  it('an altered, another incident’s or another datalek’s link is refused with a page saying why, and changes nothing', async () => {
    const id = links.other;
    const path = await linkOf(id);
    const token = path.split('/ack/')[1];
    const [payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...claims, i: links.twice })).toString('base64url');
    const cases: [string, number, string][] = [
      [`/ack/${forged}.${signature}`, 403, 'De link is veranderd: de handtekening klopt niet.'],
      [`/ack/${payload}.${signature.slice(0, -4)}AAAA`, 403, 'De link is veranderd'],
      [
        `/ack/${signAckLink(Buffer.alloc(32, 7), { incidentId: id, level: 'secondary', round: 0, expiresAt: at(60) })}`,
        403,
        'Deze link is niet door deze datalek ondertekend',
      ],
      ['/ack/not-a-link', 403, 'Dit is geen oppaklink van datalek'],
    ];
    for (const [p, status, text] of cases) {
      for (const reply of [await request(served, p), await press(p, { by: 'Mallory' })]) {
        expect(reply.status).toBe(status);
        expect(reply.body).toContain(text);
        expect(reply.body).toContain('Er is niets veranderd.');
      }
    }
    expect((await show(id)).acknowledgedBy).toBeNull();
    expect((await show(links.twice)).acknowledgedBy).toBeNull();
  });

  it('a link expired by the machine’s clock is refused on a serve whose --now lies before its end, and changes nothing (review5 A1)', async () => {
    // Another store, at the times of two days and more ago: the secondary's link ended at 21:35 then.
    const old = join(dir, 'old');
    const file = join(dir, 'old.json');
    writeFileSync(file, JSON.stringify(findingEvent({ id: 'old', severity: 8.5, instanceId: 'i-old', createdAt: '2026-11-27T21:00:00.000Z' })));
    const id = JSON.parse((await spawnCli(['replay', file, '--store', old, '--now', '2026-11-27T21:05:00Z', '--json'])).stdout.trim()).incidentId as string;
    const lines = (await spawnCli(['sweep', '--store', old, '--now', '2026-11-27T21:21:00Z'])).stderr.split('\n');
    const path = new URL(lines.find((l) => l.includes('/ack/'))?.trim() as string).pathname;
    const late = await startServe(['--store', old, '--now', '2026-11-27T21:25:00Z']);
    try {
      for (const reply of [
        await request(late, path),
        await request(late, path, { method: 'POST', body: form({ by: 'Anna' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
      ]) {
        expect(reply.status).toBe(410);
        expect(reply.body).toContain('Deze link is verlopen om 2026-11-27 22:35 CET');
      }
      expect((await request(late, `${path}?lang=en`, {})).body).toContain('This link expired at 2026-11-27 22:35 CET');
    } finally {
      await late.stop();
    }
    const shown = JSON.parse((await spawnCli(['show', id, '--store', old, '--json'])).stdout) as {
      acknowledgedAt: string | null;
      timeline: { kind: string }[];
    };
    expect(shown.acknowledgedAt).toBeNull();
    expect(shown.timeline.map((e) => e.kind)).not.toContain('acknowledged');
  });

  it('a form posted from another site is refused, even with a valid link', async () => {
    const id = links.twice;
    const path = await linkOf(id);
    const reply = await press(path, { by: 'x' }, { origin: 'https://evil.example' });
    expect(reply.status).toBe(403);
    expect((await show(id)).acknowledgedBy).toBeNull();
  });

  it('everything else still needs the session token', async () => {
    expect((await request(served, '/')).status).toBe(403);
    expect((await request(served, `/incidents/${links.twice}`)).status).toBe(403);
    expect((await request(served, '/assets/app.css')).status).toBe(403);
    expect((await request(served, '/ack/app.css')).status).toBe(200);
    expect((await request(served, `/ack/x`, { headers: { host: 'evil.example:80' } })).status).toBe(403);
  });
});

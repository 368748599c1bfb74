import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';

function tempDir(prefix: string) {
  return mkdtempSync(join(tmpdir(), prefix));
}

describe('the datalek CLI', () => {
  let store: string;
  let events: string;
  beforeEach(() => {
    store = join(tempDir('datalek-cli-'), 'store');
    events = tempDir('datalek-cli-events-');
  });

  function writeEvent(name: string, value: unknown) {
    const file = join(events, name);
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  }

  it('prints one JSON object per input event, in input order, with the contract fields', async () => {
    const a = writeEvent('a.json', [findingEvent({ id: 'one' }), findingEvent({ id: 'two', severity: 2, instanceId: 'i-other' })]);
    const b = writeEvent('b.json', '{ not json');
    const { code, stdout } = await runCli(['replay', a, b, '--store', store, '--json', '--now', '2026-11-28T00:00:00Z']);
    expect(code).toBe(1);
    const lines = jsonLines(stdout);
    expect(lines.map((l) => [l.input, l.outcome])).toEqual([
      [`${a}#0`, 'opened'],
      [`${a}#1`, 'ignored'],
      [`${b}#0`, 'rejected'],
    ]);
    expect(lines[0]).toMatchObject({
      findingId: 'one',
      severity: 8,
      deadline: '2026-11-30T21:00:00.000Z',
      actions: [
        { type: 'isolate-instance', status: 'planned' },
        { type: 'block-dns-channel', status: 'planned' },
      ],
    });
    expect(lines[0].incidentId).toMatch(/^dl-[0-9a-f]{32}$/);
    expect(lines[1]).toMatchObject({ incidentId: null, deadline: null, reason: expect.stringMatching(/below the policy's threshold/) });
    expect(lines[2]).toMatchObject({ incidentId: null, findingId: null, reason: expect.stringMatching(/^not valid JSON/) });
  });

  it('exits 0 when nothing was rejected', async () => {
    const a = writeEvent('a.json', findingEvent());
    expect((await runCli(['replay', a, '--store', store, '--json'])).code).toBe(0);
  });

  it('shows status, show and ack in the contract shapes', async () => {
    const a = writeEvent('a.json', findingEvent({ id: 'one' }));
    const { stdout } = await runCli(['replay', a, '--store', store, '--json', '--now', '2026-11-28T00:00:00Z']);
    const id = jsonLines(stdout)[0].incidentId as string;

    const status = JSON.parse((await runCli(['status', '--store', store, '--json'])).stdout);
    expect(status).toHaveLength(1);
    expect(Object.keys(status[0])).toEqual(
      expect.arrayContaining([
        'incidentId',
        'state',
        'severity',
        'findingType',
        'resource',
        'detectedAt',
        'awareAt',
        'deadline',
        'sample',
        'findings',
        'acknowledgedBy',
        'acknowledgedAt',
      ]),
    );
    expect(status[0]).toMatchObject({
      incidentId: id,
      state: 'open',
      detectedAt: '2026-11-27T21:00:00.000Z',
      awareAt: '2026-11-27T21:00:00.000Z',
      findings: 1,
      acknowledgedBy: null,
    });

    const first = await runCli(['ack', id, '--by', 'alice', '--note', 'looking', '--store', store, '--now', '2026-11-28T00:10:00Z']);
    expect(first.code).toBe(0);
    const second = await runCli(['ack', id, '--by', 'bob', '--store', store]);
    expect(second.stdout).toMatch(/already acknowledged by alice at 2026-11-28T00:10:00.000Z; nothing changed/);

    const show = JSON.parse((await runCli(['show', id, '--store', store, '--json'])).stdout);
    expect(show).toMatchObject({ incidentId: id, state: 'acknowledged', acknowledgedBy: 'alice' });
    expect(show.timeline.map((e: { kind: string }) => e.kind)).toEqual([
      // The replay's --now lies before the machine's clock too: what it recorded was stated (review5 A14).
      'clock-stated',
      'incident-opened',
      'containment-planned',
      // A !DNS finding: the step that blocks the DNS channel the isolation leaves open.
      'containment-planned',
      'notification-queued',
      'notification-queued',
      // alice's --now lies before the machine's clock: her entry says it was stated, not taken.
      'clock-stated',
      'acknowledged',
    ]);
    expect(show.timeline.at(-1)).toMatchObject({ at: '2026-11-28T00:10:00.000Z', actor: 'alice', detail: { note: 'looking' } });
  });

  it('answers a bad flag, an unknown incident or an unreadable path with one line and exit 2, writing nothing', async () => {
    const cases = [
      ['status', '--bogus', '--store', store],
      ['show', 'dl-0000000000', '--store', store],
      ['ack', 'dl-0000000000', '--store', store],
      ['replay', join(events, 'missing.json'), '--store', store],
      ['replay', '--now', 'yesterday', '--store', store],
      ['replay', '--policy', join(events, 'no-policy.json'), '--store', store],
      ['sweep', '--by', 'x', '--store', store],
    ];
    for (const args of cases) {
      const { code, stdout, stderr } = await runCli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(stderr.split('\n')).toHaveLength(1);
      expect(stderr).toMatch(/^datalek: /);
    }
    expect(existsSync(store)).toBe(false);
  });

  it('names the unknown incident and the unreadable path', async () => {
    await runCli(['replay', writeEvent('a.json', findingEvent()), '--store', store]);
    expect((await runCli(['show', 'dl-nope', '--store', store])).stderr).toBe('datalek: no incident with id "dl-nope"');
    expect((await runCli(['replay', '/nonexistent/x.json', '--store', store])).stderr).toBe('datalek: cannot read /nonexistent/x.json: ENOENT');
    expect((await runCli(['status', '--bogus'])).stderr).toBe('datalek: unknown option --bogus');
  });

  it('sweeps due reminders once, in the contract shape', async () => {
    const a = writeEvent('a.json', findingEvent({ createdAt: '2026-11-20T21:00:00Z' }));
    await runCli(['replay', a, '--store', store, '--json', '--now', '2026-11-20T21:05:00Z']);
    const { stdout } = await runCli(['sweep', '--store', store, '--json', '--now', '2026-11-21T21:00:00Z']);
    expect(JSON.parse(stdout)).toEqual([
      { incidentId: expect.any(String), kind: 'ap-reminder', dueAt: '2026-11-21T21:00:00.000Z' },
      { incidentId: expect.any(String), kind: 'page', dueAt: '2026-11-21T20:20:00.000Z', level: 'on-call', round: 31 },
      { incidentId: expect.any(String), kind: 'page', dueAt: '2026-11-21T20:35:00.000Z', level: 'secondary', round: 31 },
      { incidentId: expect.any(String), kind: 'page', dueAt: '2026-11-21T20:50:00.000Z', level: 'fg', round: 31 },
    ]);
    expect(JSON.parse((await runCli(['sweep', '--store', store, '--json', '--now', '2026-11-21T21:00:00Z'])).stdout)).toEqual([]);
  });

  it('verifies the timelines and names the incident and entry when a row was edited', async () => {
    const a = writeEvent('a.json', findingEvent());
    const { stdout } = await runCli(['replay', a, '--store', store, '--json']);
    const id = jsonLines(stdout)[0].incidentId as string;
    expect((await runCli(['verify', '--store', store])).code).toBe(0);
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(join(store, 'datalek.sqlite'));
    db.prepare("UPDATE timeline SET detail = json_set(detail, '$.severity', 2) WHERE incident_id = ? AND seq = 1").run(id);
    db.close();
    const result = await runCli(['verify', '--store', store]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`datalek: incident ${id}, entry 1: its content does not match its hash: the entry was edited`);
  });

  it('keeps one store consistent when two processes replay the same folder at once', async () => {
    for (let i = 0; i < 12; i++) {
      writeEvent(`e${String(i).padStart(2, '0')}.json`, findingEvent({ id: `f-${i}`, instanceId: `i-${i % 6}`, count: 1 }));
    }
    const [p1, p2] = await Promise.all([
      spawnCli(['replay', events, '--store', store, '--json', '--now', '2026-11-28T00:00:00Z']),
      spawnCli(['replay', events, '--store', store, '--json', '--now', '2026-11-28T00:00:00Z']),
    ]);
    expect([p1.code, p2.code], p1.stderr + p2.stderr).toEqual([0, 0]);
    const all = [...jsonLines(p1.stdout), ...jsonLines(p2.stdout)];
    const count = (o: string) => all.filter((l) => l.outcome === o).length;
    expect(count('opened')).toBe(6);
    expect(count('attached')).toBe(6);
    expect(count('duplicate')).toBe(12);
    const listed = await runCli(['status', '--store', store, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const status = JSON.parse(listed.stdout);
    expect(status).toHaveLength(6);
    expect(status.every((s: { findings: number }) => s.findings === 2)).toBe(true);
    expect((await runCli(['verify', '--store', store])).code).toBe(0);
  });
});

/**
 * Observations 2 and 3 of issue #13, and the streaming and decoding ones of 8: one bad input is one
 * rejection, never the end of the run. Deep nesting, colliding incident ids, huge files, special
 * files, invalid UTF-8: each is a `rejected` line naming the input and why, and every other input
 * is still recorded.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { MAX_EVENT_BYTES } from '../../handlers/core/finding.js';
import { incidentIdFor, newIncident } from '../../handlers/core/incident.js';
import { jsonLines, runCli, spawnCli } from '../support/cli.js';
import { ACCOUNT, findingEvent, REGION } from '../support/events.js';

const NOW = ['--now', '2026-11-28T00:00:00Z'];

/** A finding event with `levels` of nesting inside `detail`, as text (JSON.stringify would overflow). */
function deepEventText(levels: number, id: string): string {
  const text = JSON.stringify(findingEvent({ id, instanceId: `i-${id}` }));
  return text.replace('"title":', `"deep":${'{"x":'.repeat(levels)}1${'}'.repeat(levels)},"title":`);
}

describe('one bad input, one rejection', () => {
  let dir: string;
  let events: string;
  let store: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-bad-'));
    events = join(dir, 'events');
    mkdirSync(events);
    store = join(dir, 'store');
  });

  const write = (name: string, value: unknown) => {
    const file = join(events, name);
    writeFileSync(file, typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
    return file;
  };
  const replay = async (args: string[] = [events]) => {
    const r = await spawnCli(['replay', ...args, '--store', store, '--json', ...NOW], {}, { timeout: 60_000 });
    return { ...r, lines: jsonLines(r.stdout) };
  };

  it('rejects an event nested 4,500 or 100,000 levels deep by the limit, and records the files after it', async () => {
    write('a-deep.json', deepEventText(4500, 'deep-1'));
    write('b-deeper.json', deepEventText(100_000, 'deep-2'));
    write('c-fine.json', findingEvent({ id: 'fine', instanceId: 'i-fine' }));
    const { code, lines, stderr } = await replay();
    expect(stderr).not.toMatch(/Maximum call stack|at .*\.ts:/);
    expect(lines.map((l) => l.outcome)).toEqual(['rejected', 'rejected', 'opened']);
    expect(lines[0].reason).toMatch(/nested more than 64 levels deep/);
    // 100,000 levels take 600 KB: over the size limit, which is checked first.
    expect(lines[1].reason).toMatch(/at most 262144 bytes/);
    expect(code).toBe(1);
  });

  it('rejects a deep event inside an array without holding it, and keeps the array going', async () => {
    write(
      'batch.json',
      `[${JSON.stringify(findingEvent({ id: 'b1', instanceId: 'i-b1' }))},${deepEventText(5000, 'b2')},${JSON.stringify(findingEvent({ id: 'b3', instanceId: 'i-b3' }))}]`,
    );
    const { lines } = await replay();
    expect(lines.map((l) => [String(l.input).replace(`${events}/`, ''), l.outcome])).toEqual([
      ['batch.json#0', 'opened'],
      ['batch.json#1', 'rejected'],
      ['batch.json#2', 'opened'],
    ]);
  });

  it('opens two incidents for two findings whose 40-bit incident-id prefixes collide', async () => {
    // Found in seconds by a birthday search: sha256 of these two keys agrees in its first 10 hex digits.
    write('a.json', findingEvent({ id: 'collide-asuj', instanceId: 'i-a' }));
    write('b.json', findingEvent({ id: 'collide-iufd', instanceId: 'i-b' }));
    const { code, lines } = await replay();
    expect(code).toBe(0);
    expect(lines.map((l) => l.outcome)).toEqual(['opened', 'opened']);
    expect(lines[0].incidentId).toMatch(/^dl-[0-9a-f]{32}$/);
    expect(lines[0].incidentId).not.toBe(lines[1].incidentId);
  });

  it('gives a finding whose id is taken by another incident a new id, never losing it', async () => {
    // Another finding's incident already holds the id this key derives (as a collision would).
    const taken = incidentIdFor({ accountId: ACCOUNT, region: REGION, findingId: 'victim' });
    const s = new SqliteIncidentStore(store);
    const squatter = newIncident({
      id: taken,
      sample: false,
      accountId: ACCOUNT,
      region: REGION,
      resource: { kind: 'ec2-instance', resourceType: 'Instance', id: 'i-squat' },
      resourceKey: `ec2-instance:${ACCOUNT}:${REGION}:i-squat`,
      firstFinding: { accountId: ACCOUNT, region: REGION, findingId: 'someone-else' },
      findingType: 'Backdoor:EC2/C&CActivity.B!DNS',
      severity: 8,
      detectedAt: '2026-11-27T20:00:00.000Z',
      awareAt: '2026-11-27T20:00:00.000Z',
      deadline: '2026-11-30T20:00:00.000Z',
      deadlineHours: 72,
      openedAt: '2026-11-27T20:01:00.000Z',
    });
    await s.commit({ incident: squatter, expectedRevision: null, timeline: [], messages: [] });
    await s.close();
    const file = write('victim.json', findingEvent({ id: 'victim', instanceId: 'i-victim' }));
    const first = await replay([file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.lines[0]).toMatchObject({ outcome: 'opened', findingId: 'victim' });
    expect(first.lines[0].incidentId).not.toBe(taken);
    const again = await replay([file]);
    expect(again.lines[0]).toMatchObject({ outcome: 'duplicate', incidentId: first.lines[0].incidentId });
  });

  it('rejects a file of 600 MB without reading it, and records the rest of the folder', async () => {
    const huge = join(events, 'a-huge.json');
    writeFileSync(huge, '');
    truncateSync(huge, 600 * 1024 * 1024); // sparse: no disk used
    write('b-fine.json', findingEvent());
    const { lines, code } = await replay();
    expect(lines.map((l) => l.outcome)).toEqual(['rejected', 'opened']);
    expect(lines[0].reason).toMatch(/the file is 629145600 bytes and holds one event; an event is at most 262144 bytes/);
    expect(code).toBe(1);
  });

  it('reads a 60 MB array in bounded memory (a heap of 64 MB is enough)', async () => {
    // 200 elements of 300 KB, each over the 256 KB limit: streamed past, one rejection each.
    const element = JSON.stringify({ padding: 'x'.repeat(MAX_EVENT_BYTES + 40 * 1024) });
    const file = join(events, 'big.json');
    writeFileSync(file, `[${Array.from({ length: 200 }, () => element).join(',')},${JSON.stringify(findingEvent())}]`);
    const r = await spawnCli(['replay', file, '--store', store, '--json', ...NOW], {}, { timeout: 120_000, nodeOptions: ['--max-old-space-size=64'] });
    expect(r.stderr).not.toMatch(/heap out of memory/);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(201);
    expect(lines.slice(0, 200).every((l) => l.outcome === 'rejected' && /EventBridge events are at most 262144 bytes/.test(String(l.reason)))).toBe(true);
    expect(lines[200].outcome).toBe('opened');
  });

  it('rejects FIFOs, device links, link loops and dangling links by name, without hanging', async () => {
    write('a-fine.json', findingEvent({ id: 'fine-a', instanceId: 'i-a' }));
    expect(spawnSync('mkfifo', [join(events, 'b-fifo.json')]).status).toBe(0);
    symlinkSync('/dev/zero', join(events, 'c-zero.json'));
    symlinkSync(join(events, 'd-loop.json'), join(events, 'd-loop.json'));
    symlinkSync(join(events, 'nothing-here.json'), join(events, 'e-dangling.json'));
    mkdirSync(join(events, 'f-sub'));
    symlinkSync(events, join(events, 'f-sub', 'up'));
    write('g-fine.json', findingEvent({ id: 'fine-g', instanceId: 'i-g' }));
    const { code, lines, stderr } = await replay();
    expect(stderr).not.toMatch(/at .*\.ts:/);
    const byName = Object.fromEntries(
      lines.map((l) => [
        String(l.input)
          .replace(`${events}/`, '')
          .replace(/^.*events\//, ''),
        l,
      ]),
    );
    expect(byName['a-fine.json#0'].outcome).toBe('opened');
    expect(byName['b-fifo.json#0']).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/b-fifo.json: a FIFO \(named pipe\), not a regular file/),
    });
    expect(byName['c-zero.json#0']).toMatchObject({
      outcome: 'rejected',
      reason: expect.stringMatching(/c-zero.json: a character device, not a regular file/),
    });
    expect(byName['d-loop.json#0']).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/d-loop.json: a symbolic link loop/) });
    expect(byName['e-dangling.json#0']).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/e-dangling.json: a symbolic link to nothing/) });
    expect(byName['f-sub/up#0']).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/a folder already being read/) });
    expect(byName['g-fine.json#0'].outcome).toBe('opened');
    expect(code).toBe(1);
  });

  it('rejects an event that is not valid UTF-8 instead of replacing its bytes, and records the others', async () => {
    const good = JSON.stringify(findingEvent({ id: 'utf-ok', instanceId: 'i-ok' }));
    const bad = Buffer.from(JSON.stringify(findingEvent({ id: 'utf-bad', instanceId: 'i-bad' })).replace('test finding', 'test \u0001finding'));
    bad[bad.indexOf(0x01)] = 0xff; // a byte that never occurs in UTF-8
    write('mixed.json', Buffer.concat([Buffer.from('['), bad, Buffer.from(','), Buffer.from(good), Buffer.from(']')]));
    write('single-bad.json', bad);
    const { lines } = await replay();
    expect(lines.map((l) => l.outcome)).toEqual(['rejected', 'opened', 'rejected']);
    expect(lines[0].reason).toMatch(/not valid UTF-8/);
    expect(lines[2].reason).toMatch(/not valid UTF-8/);
  });

  it('rejects an event holding a lone surrogate escape where it becomes a key, by its path; keeps one in free text as it came', async () => {
    // "\ud800" is valid JSON and valid UTF-8 as bytes, but no Unicode text: SQLite kept the instance id
    // with U+FFFD in the resource key's column, the record kept the escape, and verify called the
    // record altered (exit 1) though nobody had touched it. In free text (a key of additionalInfo, a
    // user agent: an attacker's to write) the record keeps it escaped in its JSON, and refusing the
    // finding for it would keep it from being recorded and contained.
    write('a-lone.json', JSON.stringify(findingEvent({ id: 'lone-1', instanceId: 'i-0lone\ud800' })));
    write(
      'b-lone-free-text.json',
      JSON.stringify(
        findingEvent({ id: 'lone-2', instanceId: 'i-free', service: { additionalInfo: { 'k\udc00': 'v\ud800' }, action: { userAgent: 'x\udfff' } } }),
      ),
    );
    write('c-pair.json', JSON.stringify(findingEvent({ id: 'pair', instanceId: 'i-pair', type: 'Backdoor:EC2/\ud83d\ude00' })));
    const { lines } = await replay();
    expect(lines.map((l) => l.outcome)).toEqual(['rejected', 'opened', 'opened']);
    expect(lines[0].reason).toBe(
      'detail.resource.instanceDetails.instanceId: holds a lone surrogate (an escape \\uD800 to \\uDFFF without its pair): not Unicode text, which no store keeps as it is',
    );
    const verify = await runCli(['verify', '--store', store]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
  });

  it('names the problem of an unfinished array, an empty element and text after the array', async () => {
    const one = JSON.stringify(findingEvent({ id: 'arr-1', instanceId: 'i-arr' }));
    write('a-unclosed.json', `[${one}`);
    write('b-empty-element.json', `[${one},,]`);
    write('c-trailing.json', `[${one}] and more`);
    write('d-empty.json', '');
    const { lines } = await replay();
    const reasons = lines.filter((l) => l.outcome === 'rejected').map((l) => String(l.reason).replace(/^.*events\//, ''));
    expect(reasons).toEqual([
      'a-unclosed.json: the file ends before the array is closed with ], inside this event',
      'b-empty-element.json: an empty element in the array (two commas, or a comma before ])',
      'b-empty-element.json: an empty element in the array (two commas, or a comma before ])',
      "c-trailing.json: text after the array's closing ]",
      'd-empty.json: the file is empty',
    ]);
  });

  it('rejects a policy whose deadline hours would break the replay (1e11), before anything is written', async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(policy, JSON.stringify({ apDeadlineHours: 100000000000 }));
    write('a.json', findingEvent());
    const r = await runCli(['replay', events, '--store', store, '--policy', policy, ...NOW]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apDeadlineHours: must be 1 to 72: GDPR Art. 33\(1\)/);
  });
});

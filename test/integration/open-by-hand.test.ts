import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteIncidentStore } from '../../handlers/adapters/local/sqlite-store.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { enteredAtNow, jsonLines } from '../support/cli.js';
import { type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';
import { inProcessWebApp } from '../support/web-app.js';

/**
 * Review 7 G12: Art. 33(5) asks the controller to document every breach, and the register held only
 * what a GuardDuty finding opened. `datalek open` opens an incident by hand (a letter to the wrong
 * person, a lost laptop, a finding the policy ignored), with the moment of awareness stated; it
 * then goes through the FG's workflow and clocks like any other, marked as opened by hand.
 */
const WHAT = 'Brief met uitslagen naar het verkeerde adres gestuurd';

describe('datalek open: an incident opened by hand, on the embedded store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-open-'));
  const policy = join(dir, 'policy.json');
  const store = join(dir, 'store');
  // Each command entered at the time it states (support/cli.ts enteredAtNow).
  const cli = (args: string[], now: string) => enteredAtNow([...args, '--store', store, '--policy', policy, '--now', now]);
  const events = join(dir, 'events.json');
  let id: string;

  beforeAll(async () => {
    writeFileSync(policy, JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@example.nl' } } }));
    writeFileSync(
      events,
      JSON.stringify([
        findingEvent({ id: 'opened-1', type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-27T08:00:00Z' }),
        findingEvent({ id: 'low-1', severity: 2, instanceId: 'i-low', createdAt: '2026-11-27T08:00:00Z' }),
      ]),
    );
    const r = await cli(['replay', events, '--json'], '2026-11-27T08:30:00Z');
    expect(jsonLines(r.stdout).map((l) => l.outcome)).toEqual(['opened', 'ignored']);
  });

  const count = async () => JSON.parse((await cli(['register', '--format', 'json'], '2026-11-27T12:00:00Z')).stdout).length;

  it('refuses bad input by name, and writes nothing', async () => {
    const before = await count();
    const file = (name: string, content: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
      return path;
    };
    const cases: [string[], RegExp][] = [
      [['--aware-at', '2026-11-27T10:00:00+01:00', '--by', 'A. de Vries'], /--what/],
      [['--what', WHAT, '--by', 'A. de Vries'], /--aware-at/],
      [['--what', WHAT, '--aware-at', '2026-11-27 10:00', '--by', 'A. de Vries'], /--aware-at must be an ISO 8601 time/],
      [
        ['--what', WHAT, '--aware-at', '2026-11-27T13:00:00Z', '--by', 'A. de Vries'],
        /--aware-at 2026-11-27 14:00 CET \(2026-11-27T13:00:00.000Z\) lies after now/,
      ],
      [['--what', '   ', '--aware-at', '2026-11-27T10:00:00Z', '--by', 'A. de Vries'], /--what/],
      [['--what', WHAT, '--aware-at', '2026-11-27T10:00:00Z', '--finding', join(dir, 'absent.json')], /--finding .*absent\.json/],
      [['--what', WHAT, '--aware-at', '2026-11-27T10:00:00Z', '--finding', file('bad.json', '{"not": "an event"')], /--finding .*bad\.json.*not a valid event/],
      [
        [
          '--what',
          WHAT,
          '--aware-at',
          '2026-11-27T10:00:00Z',
          '--finding',
          file('high.json', findingEvent({ id: 'high-2', instanceId: 'i-high', createdAt: '2026-11-27T08:00:00Z' })),
        ],
        /the policy opens an incident for finding high-2.*datalek replay/,
      ],
      [
        [
          '--what',
          WHAT,
          '--aware-at',
          '2026-11-27T10:00:00Z',
          '--finding',
          file('known.json', findingEvent({ id: 'opened-1', type: 'Backdoor:EC2/C&CActivity.B', createdAt: '2026-11-27T08:00:00Z' })),
        ],
        /finding opened-1 is recorded already, on incident dl-[0-9a-f]{32}/,
      ],
      [
        [
          '--what',
          WHAT,
          '--aware-at',
          '2026-11-27T10:00:00Z',
          '--finding',
          file('sample.json', findingEvent({ id: 'sample-1', sample: true, createdAt: '2026-11-27T08:00:00Z' })),
        ],
        /sample finding/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['open', ...args], '2026-11-27T12:00:00Z');
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await count()).toBe(before);
  });

  it('opens it with the awareness stated: the AP clock runs from there, and nothing is contained', async () => {
    const r = await cli(['open', '--what', WHAT, '--aware-at', '2026-11-27T10:00:00+01:00', '--by', 'A. de Vries', '--json'], '2026-11-27T12:00:00Z');
    expect(r.code, r.stderr).toBe(0);
    const opened = JSON.parse(r.stdout);
    id = opened.incidentId;
    expect(id).toMatch(/^dl-[0-9a-f]{32}$/);
    expect(opened).toMatchObject({
      awareAt: '2026-11-27T09:00:00.000Z',
      detectedAt: '2026-11-27T09:00:00.000Z',
      deadline: '2026-11-30T09:00:00.000Z',
      actions: [],
      openedByHand: { by: 'A. de Vries', what: WHAT, awareAt: '2026-11-27T09:00:00.000Z', recordedAt: '2026-11-27T12:00:00.000Z' },
    });

    const status = JSON.parse((await cli(['status', '--json'], '2026-11-27T12:00:00Z')).stdout);
    expect(status.find((s: { incidentId: string }) => s.incidentId === id)).toMatchObject({ deadline: '2026-11-30T09:00:00.000Z' });
    const shown = JSON.parse((await cli(['show', id, '--json'], '2026-11-27T12:00:00Z')).stdout);
    expect(shown.timeline.find((e: { kind: string }) => e.kind === 'incident-opened-by-hand')).toMatchObject({
      actor: 'A. de Vries',
      detail: { what: WHAT, awareAt: '2026-11-27T09:00:00.000Z' },
    });
    const human = (await cli(['show', id], '2026-11-27T12:00:00Z')).stdout;
    expect(human).toContain('OPENED BY HAND by A. de Vries');

    // The page says so beside the state.
    const readBack = new SqliteIncidentStore(store);
    try {
      const web = inProcessWebApp({ store: readBack, policy: parsePolicy(JSON.parse(readFileSync(policy, 'utf8'))), now: () => '2026-11-27T12:00:00Z' });
      const page = await (await web.get(`/incidents/${id}`, 'nl')).text();
      expect(page).toContain(`(met de hand geopend door A. de Vries op 2026-11-27 13:00 CET: ${WHAT})`);
    } finally {
      await readBack.close();
    }

    const again = await cli(['open', '--what', WHAT, '--aware-at', '2026-11-27T10:00:00+01:00', '--by', 'A. de Vries'], '2026-11-27T12:05:00Z');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`opened by hand already: ${id}`);
  });

  it('reminds of the AP deadline like any other incident', async () => {
    const sweep = await cli(['sweep', '--json'], '2026-11-29T09:30:00Z');
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(JSON.parse(sweep.stdout)).toContainEqual(expect.objectContaining({ incidentId: id, dueAt: '2026-11-29T09:00:00.000Z' }));
    // The awareness was stated, not defaulted to a detection: the reminder does not say otherwise.
    const messages = (await cli(['messages', id], '2026-11-29T09:30:00Z')).stdout;
    expect(messages).toContain('Herinnering AP-termijn');
    expect(messages).not.toContain('bewustwording = detectie');
  });

  it('goes through the FG workflow; the draft and the register say it was opened by hand', async () => {
    const steps: string[][] = [
      ['assess', id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'medische uitslagen van één patiënt', '--by', 'A. de Vries'],
      [
        'facts',
        id,
        '--summary',
        'Uitslagen per post naar een oud adres',
        '--type',
        'mail-lost-or-opened',
        '--nature',
        'confidentiality',
        '--categories',
        'naam,adres,uitslagen',
        '--special',
        'gezondheid',
        '--subject-groups',
        'patiënten',
        '--subjects',
        '1-1',
        '--records',
        '1',
        '--consequences',
        'een derde kon de uitslagen lezen',
        '--measures-taken',
        'ontvanger gebeld; brief retour',
        '--unintelligible',
        'no',
        '--other-party',
        'none',
        '--cross-border',
        'no',
        '--cause',
        'adres niet bijgewerkt',
        '--by',
        'A. de Vries',
      ],
    ];
    for (const args of steps) {
      const r = await cli(args, '2026-11-29T10:00:00Z');
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(0);
    }
    const draft = (await cli(['draft', id, '--lang', 'nl'], '2026-11-29T10:00:00Z')).stdout;
    expect(draft).toContain('Met de hand geopend door A. de Vries');
    expect(draft).toContain(WHAT);
    expect(draft).not.toContain('AWS GuardDuty meldde');
    const en = (await cli(['draft', id, '--lang', 'en'], '2026-11-29T10:00:00Z')).stdout;
    expect(en).toContain('Opened by hand by A. de Vries');

    const reported = await cli(['reported', id, '--reference', 'M-100', '--at', '2026-11-29T10:30:00Z', '--by', 'A. de Vries'], '2026-11-29T11:00:00Z');
    expect(reported.code, reported.stderr).toBe(0);
    const closed = await cli(
      ['close', id, '--reason', 'gemeld en afgehandeld', '--follow-up-reason', 'de aanvulling ging per brief naar de AP', '--by', 'A. de Vries'],
      '2026-11-29T12:00:00Z',
    );
    expect(closed.code, closed.stderr).toBe(0);

    const register = JSON.parse((await cli(['register', '--format', 'json'], '2026-11-29T12:00:00Z')).stdout);
    const row = register.find((r: { incidentId: string }) => r.incidentId === id);
    expect(row).toMatchObject({ apClock: 'met', state: 'closed' });
    expect(row.openedByHand).toBe(`by A. de Vries, entered 2026-11-27T12:00:00.000Z, aware 2026-11-27T09:00:00.000Z: ${WHAT}`);
    const csv = (await cli(['register', '--format', 'csv'], '2026-11-29T12:00:00Z')).stdout.split('\n');
    // After the columns before it (G11's findingsMinimised came after it).
    const columns = csv[0].split(',');
    expect(columns.indexOf('openedByHand')).toBe(columns.indexOf('controllerHours') + 1);
    const md = (await cli(['register', '--format', 'md'], '2026-11-29T12:00:00Z')).stdout;
    expect(md).toContain('met de hand geopend');

    expect((await cli(['verify'], '2026-11-29T12:00:00Z')).code).toBe(0);
    expect((await cli(['verify', id], '2026-11-29T12:00:00Z')).code).toBe(0);
  });

  it('is proved by the ledger: an edit of what was recorded by hand is found', async () => {
    const db = new Database(join(store, 'datalek.sqlite'));
    const row = db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string };
    const record = JSON.parse(row.data);
    record.openedByHand.awareAt = '2026-11-28T09:00:00.000Z';
    db.prepare('UPDATE incidents SET data = ? WHERE id = ?').run(JSON.stringify(record), id);
    db.close();
    const r = await cli(['verify', id], '2026-11-29T12:00:00Z');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(id);
  });

  it('opens one from a finding the policy ignored, naming it and why it was ignored', async () => {
    const low = join(dir, 'low.json');
    writeFileSync(low, JSON.stringify(findingEvent({ id: 'low-1', severity: 2, instanceId: 'i-low', createdAt: '2026-11-27T08:00:00Z' })));
    const r = await cli(
      ['open', '--what', 'Lage melding bleek een datalek', '--aware-at', '2026-11-27T11:00:00Z', '--finding', low, '--by', 'Bert', '--json'],
      '2026-11-27T12:00:00Z',
    );
    expect(r.code, r.stderr).toBe(0);
    const opened = JSON.parse(r.stdout);
    expect(opened).toMatchObject({
      detectedAt: '2026-11-27T08:00:00.000Z',
      awareAt: '2026-11-27T11:00:00.000Z',
      deadline: '2026-11-30T11:00:00.000Z',
      actions: [],
      openedByHand: {
        by: 'Bert',
        finding: { findingId: 'low-1', severity: 2, ignored: "severity 2.0 (Low) is below the policy's threshold 4.0 for opening an incident" },
      },
    });
    // The finding is recorded on it (review9 S2): a redelivery is a duplicate of it, and opens nothing.
    const again = await cli(['replay', low, '--json'], '2026-11-27T12:10:00Z');
    expect(jsonLines(again.stdout)[0]).toMatchObject({ outcome: 'duplicate', incidentId: opened.incidentId });
    expect((await cli(['verify', opened.incidentId], '2026-11-27T12:10:00Z')).code).toBe(0);
  });
});

describe.skipIf(!MOTO_AVAILABLE)('datalek open --target aws, on moto', () => {
  let world: CliAwsWorld;

  beforeAll(async () => {
    world = await cliAwsWorld();
  });
  afterAll(async () => world?.moto.stop());

  it('opens it in DynamoDB; the workflow, the register and verify take it like any other', async () => {
    const aware = new Date(Date.now() - 2 * 3600_000).toISOString();
    const r = await world.cli(['open', '--what', WHAT, '--aware-at', aware, '--by', 'A. de Vries', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = JSON.parse(r.stdout).incidentId as string;
    // The command line for open (done, refused); the workflow's steps in this process (CliAwsWorld.run).
    const assess = await world.run(['assess', id, '--personal-data', 'yes', '--risk', 'risk', '--reason', 'uitslagen', '--by', 'A. de Vries']);
    expect(assess.code, assess.stderr).toBe(0);
    const shown = JSON.parse((await world.run(['show', id, '--json'])).stdout);
    expect(shown).toMatchObject({ openedByHand: { by: 'A. de Vries', what: WHAT }, actions: [], assessment: { personalData: 'yes' } });
    const register = JSON.parse((await world.run(['register', '--format', 'json'])).stdout);
    expect(register.find((x: { incidentId: string }) => x.incidentId === id).openedByHand).toContain(WHAT);
    const again = await world.cli(['open', '--what', WHAT, '--aware-at', aware, '--by', 'A. de Vries']);
    expect(again.code).toBe(2);
    const verify = await world.run(['verify', id]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    expect((await world.run(['verify'])).code).toBe(0);
  });
});

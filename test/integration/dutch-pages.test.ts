/**
 * The FG reads the web page in Dutch (the default) and must defend what it says before the AP; the
 * on-call engineer reads the acknowledgement page on a phone. Every page of a whole workflow, on
 * the sample events (every resource kind, a merged incident, a sample finding), is scanned for
 * what a person should never have to decode there: GuardDuty's resource type codes, datalek's own
 * English (who acknowledged from a link, why a merged incident closed, the system actor), English
 * clock and status words, and command-line flags.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signAckLink } from '../../handlers/core/ack-link.js';
import { ROOT, spawnCli } from '../support/cli.js';
import { form, pageText, request, type Served, signIn, startServe } from '../support/serve.js';

const NOW = '2026-11-28T08:00:00Z';

/**
 * What a person reads on a page: text and form values, with code (identifiers, finding types, raw
 * timeline details) as `CODE`. A message as it was sent is quoted as it was sent: left out here.
 */
function readable(html: string): string {
  const values = [...html.matchAll(/<(?:input|textarea)[^>]*?(?:value="([^"]*)")?[^>]*>/g)].map((m) => m[1] ?? '').join(' \n ');
  return pageText(
    `${html} ${values}`
      .replace(/<details>(?:(?!<\/details>)[\s\S])*?class="message"[\s\S]*?<\/details>/g, ' ')
      .replace(/<script[\s\S]*?<\/script>/g, ' ')
      .replace(/<style[\s\S]*?<\/style>/g, ' ')
      .replace(/<code>[\s\S]*?<\/code>/g, ' CODE '),
  );
}

/** What must not be on a Dutch page, each with why. */
const NOT_DUTCH: [RegExp, string][] = [
  [
    /(?<![!/:.\w])(Instance|AccessKey|S3Bucket|EKSCluster|ECSCluster|Container|Lambda|RDSDBInstance|AttackSequence|EBSSnapshot|EC2Image|RecoveryPoint) (CODE|[a-z0-9])/,
    'a GuardDuty resource type code',
  ],
  [/from the page to|\bround \d/, 'the acknowledgement from a link, in English'],
  [/merged into|one breach|names resources of both/, 'why a merged incident closed, in English'],
  [/(^|[\s(])system([\s),]|$)/, 'the system actor, in English'],
  [/\b(running|overdue|not needed|done late|planned|skipped|failed|acknowledged)\b/, 'an English clock or status word'],
  [/(^|\s)--[a-z]/, 'a command-line flag'],
];

describe('the Dutch pages say everything in Dutch words', () => {
  let dir: string;
  let common: string[];
  let served: Served;
  let cookie: string;
  let ec2: string;
  let linkPath: string;
  const cli = (args: string[]) => spawnCli([...args, ...common, '--now', NOW]);
  const page = async (path: string) => {
    const reply = await request(served, path, { headers: { cookie } });
    expect(reply.status, path).toBe(200);
    return reply.body;
  };
  const problems = (html: string) =>
    NOT_DUTCH.flatMap(([pattern, why]) => {
      const m = pattern.exec(readable(html));
      return m ? [`${why}: "…${readable(html).slice(Math.max(0, m.index - 40), m.index + 60)}…"`] : [];
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-dutch-'));
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({ organisation: { name: 'Zorggroep Voorbeeld', fg: { name: 'A. de Vries', email: 'fg@zorggroep.example', phone: '+31 20 000 0000' } } }),
    );
    common = ['--store', join(dir, 'store'), '--policy', policy];
    // The sample events as `npm start` records them, with each page and its link printed under it.
    const replay = await cli(['replay', join(ROOT, 'events')]);
    const status = JSON.parse((await cli(['status', '--json'])).stdout) as { incidentId: string; sample: boolean; resource: { type: string } }[];
    ec2 = status.find((i) => !i.sample && i.resource.type === 'Instance')?.incidentId as string;
    const link = new RegExp(`on-call: .*${ec2}\\n\\s+(http://\\S+)`).exec(replay.stderr)?.[1];
    expect(link).toBeDefined();
    // The page's link, signed again with the store's key to end an hour from now: the sample
    // events are of days ago, and a link ends by the machine's clock too (review5 A1).
    const claims = JSON.parse(Buffer.from(new URL(link as string).pathname.split('/ack/')[1].split('.')[0], 'base64url').toString('utf8'));
    const key = Buffer.from(readFileSync(`${join(dir, 'store')}.ack-key`, 'utf8').trim(), 'hex');
    const expiresAt = new Date(Date.now() + 60 * 60_000).toISOString();
    linkPath = `/ack/${signAckLink(key, { incidentId: claims.i, level: claims.l, round: claims.r, expiresAt })}`;
    served = await startServe([...common, '--now', NOW, '--by', 'A. de Vries']);
    cookie = await signIn(served);
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('after on-call acknowledged from the link on a phone, the FG carries the incident to closed', async () => {
    const pressed = await request(served, linkPath, {
      method: 'POST',
      body: form({}),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(pressed.status).toBe(200);
    expect(problems(pressed.body)).toEqual([]);
    expect(readable(pressed.body)).toContain('via de link in de oproep aan on-call, ronde 1');
    // The used link, opened again.
    expect(problems((await request(served, linkPath)).body)).toEqual([]);

    const by = ['--by', 'A. de Vries'];
    for (const args of [
      ['assess', ec2, '--personal-data', 'yes', '--risk', 'high', '--reason', 'Cliëntgegevens op de server.'],
      ['facts', ec2, '--summary', 'Malware op een server met cliëntgegevens.', '--cause', 'Een kwetsbaarheid.', '--type', 'hacking-malware-phishing'],
      [
        'facts',
        ec2,
        '--nature',
        'confidentiality',
        '--categories',
        'naam,adres',
        '--special',
        'none',
        '--subject-groups',
        'cliënten',
        '--subjects',
        '120-2500',
      ],
      ['facts', ec2, '--records', '2500', '--consequences', 'Risico op fraude.', '--measures-taken', 'Server geïsoleerd.', '--unintelligible', 'no'],
      ['facts', ec2, '--other-party', 'none', '--cross-border', 'no'],
      // Entered by this machine's clock, after the AP deadline (--now states the run's only): confirmed (atk28 F16).
      ['reported', ec2, '--reference', 'M-2026-0042', '--confirm-stated-time'],
      [
        'subjects',
        ec2,
        '--decision',
        'inform',
        '--text',
        'Uw gegevens zijn gelekt; wijzig uw wachtwoord.',
        '--reason',
        'Hoog risico op fraude.',
        '--date',
        '2026-11-28T07:30:00Z',
        '--channel',
        'brief',
      ],
    ]) {
      const out = await cli([...args, ...by]);
      expect(out.code, `${args.join(' ')}: ${out.stderr}`).toBe(0);
    }
    for (const path of [`/incidents/${ec2}`, `/incidents/${ec2}/draft?lang=nl`, `/incidents/${ec2}/notice?lang=nl`]) {
      expect(problems(await page(path)), path).toEqual([]);
    }
    expect(
      (await cli(['close', ec2, '--reason', 'Gemeld en betrokkenen geïnformeerd.', '--follow-up-reason', 'de aanvulling ging per brief naar de AP', ...by]))
        .code,
    ).toBe(0);
  });

  it('every page: the overview, the closed incidents, the register, and each incident with its draft and notice', async () => {
    const all = JSON.parse((await cli(['register', '--format', 'json'])).stdout) as { incidentId: string }[];
    const paths = [
      '/',
      '/closed',
      '/register',
      ...all.flatMap(({ incidentId: id }) => [`/incidents/${id}`, `/incidents/${id}/draft?lang=nl`, `/incidents/${id}/notice?lang=nl`]),
    ];
    const found: string[] = [];
    for (const path of paths) for (const problem of problems(await page(path))) found.push(`${path}: ${problem}`);
    expect(found).toEqual([]);
  });

  it('an incident merged into another says so, and runs no clock of its own (the register must not say "loopt")', async () => {
    const all = JSON.parse((await cli(['register', '--format', 'json'])).stdout) as { incidentId: string; closeReason: string | null; apClockStatus: string }[];
    const merged = all.find((r) => r.closeReason?.startsWith('merged into '));
    expect(merged).toBeDefined();
    const into = /^merged into (\S+):/.exec(merged?.closeReason ?? '')?.[1];
    expect(merged?.apClockStatus).toBe('not-needed');
    const html = readable(await page(`/incidents/${merged?.incidentId}`));
    expect(html).toContain(`samengevoegd met ${into}`);
    expect(html).not.toMatch(/Melding AP \(72 uur, AVG art\. 33\) loopt/);
    const register = readable(await page('/register'));
    const row = new RegExp(`${merged?.incidentId}[\\s\\S]*?(?=dl-[0-9a-f]{32}|$)`).exec(register)?.[0] ?? '';
    expect(row).toContain('niet nodig');
    expect(row).not.toMatch(/\bloopt\b/);
  });
});

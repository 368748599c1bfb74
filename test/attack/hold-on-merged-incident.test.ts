/**
 * attack11 K2: `datalek minimise ID --hold` accepts a hold on a merged incident and says its findings
 * are kept until the hold is released, but minimise judges a merged incident's findings by the
 * incident it was merged into (minimise.ts heldBack(holder)): the hold on the merged one is never
 * read, and the next run removes the personal data the FG held (a claim about the key of event 07).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { enteredAtNow } from '../support/cli.js';

const ROOT = join(import.meta.dirname, '../..');
const event = (name: string) => join(ROOT, 'events', name);
// 07 (the key) and 08 (the bucket) open two incidents; 28, an attack sequence naming both, merges 07's into 08's.
const MERGED = 'dl-cc8d7f82b75c628a539d2f3eb06f02c5';
const SURVIVOR = 'dl-cb3626c5ed671fda3d91dfd59543f372';

const storeCli = () => {
  const store = join(mkdtempSync(join(tmpdir(), 'attack11-hold-')), 'store');
  return (args: string[], now?: string) => enteredAtNow([...args, '--store', store, ...(now ? ['--now', now] : [])]);
};

/** The survivor assessed and closed, then the monthly run (a short period for the test): the held incident's findings must stay whole. */
async function closeSurvivorAndMinimise(cli: ReturnType<typeof storeCli>): Promise<void> {
  const assessed = await cli(
    [
      'assess',
      SURVIVOR,
      '--personal-data',
      'no',
      '--risk',
      'none',
      '--reason',
      'Geen persoonsgegevens',
      '--by',
      'FG',
      // The survivor holds three finding types (253256a): the assessment names them as the FG saw them.
      '--finding-types',
      'AttackSequence:IAM/CompromisedCredentials,CredentialAccess:IAMUser/AnomalousBehavior,Policy:S3/BucketAnonymousAccessGranted',
    ],
    '2026-11-27T16:10:00Z',
  );
  expect(assessed.code, assessed.stderr).toBe(0);
  expect((await cli(['close', SURVIVOR, '--reason', 'Afgehandeld', '--by', 'FG'], '2026-11-27T16:20:00Z')).code).toBe(0);
  expect((await cli(['minimise', '--by', 'FG', '--after-days', '1'])).code).toBe(0);
  const after = JSON.parse((await cli(['show', MERGED, '--json'])).stdout);
  expect(after.minimised ?? null).toBeNull();
}

it('keeps the findings of a merged incident the FG holds, or refuses the hold there', async () => {
  const cli = storeCli();
  const replay = await cli(
    [
      'replay',
      event('07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'),
      event('08-s3-bucket-made-public-anonymous-access.json'),
      event('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json'),
    ],
    '2026-11-27T15:00:00Z',
  );
  expect(replay.code, replay.stderr).toBe(0);
  const merged = JSON.parse((await cli(['show', MERGED, '--json'], '2026-11-27T15:30:00Z')).stdout);
  expect(merged.state).toBe('closed');

  const hold = await cli(['minimise', MERGED, '--hold', '--reason', 'Schadeclaim over de gelekte sleutel', '--by', 'FG'], '2026-11-27T16:00:00Z');
  // A hold refused on the merged copy (naming the survivor) is a fix too; accepted, it must hold.
  if (hold.code !== 0) {
    expect(hold.stderr).toContain(SURVIVOR);
    return;
  }
  expect(hold.stdout).toMatch(/held by FG/);
  await closeSurvivorAndMinimise(cli);
});

it('keeps the findings the FG held while the incident was open, after a finding merged it into another', async () => {
  const cli = storeCli();
  const first = await cli(
    ['replay', event('07-iam-long-term-access-key-anomalous-fractional-severity-7.2.json'), event('08-s3-bucket-made-public-anonymous-access.json')],
    '2026-11-27T15:00:00Z',
  );
  expect(first.code, first.stderr).toBe(0);
  // Held while open: the FG did what the command offers, before anything merged it.
  const hold = await cli(['minimise', MERGED, '--hold', '--reason', 'Schadeclaim over de gelekte sleutel', '--by', 'FG'], '2026-11-27T15:10:00Z');
  expect(hold.code, hold.stderr).toBe(0);
  // The attack sequence names both resources: 07's incident is merged into 08's.
  expect((await cli(['replay', event('28-attack-sequence-iam-credentials-merges-key-and-bucket-incidents.json')], '2026-11-27T15:20:00Z')).code).toBe(0);
  expect(JSON.parse((await cli(['show', MERGED, '--json'], '2026-11-27T15:30:00Z')).stdout).state).toBe('closed');
  await closeSurvivorAndMinimise(cli);
});

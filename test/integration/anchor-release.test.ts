/**
 * anchorrel17: an incident put back from a copy that lacks what a digest anchored (a restore from
 * backup) was left out of every digest for good: each run failed naming it (on AWS the errors alarm
 * paged every 5 minutes for ever), and the only way out was to edit the store or the digests. Now a
 * person releases it with the signing key (`anchor --release ID --by NAME --why TEXT`): a signed
 * `released` row in the next digest, shown by `verify --digests` and the incident's timeline.
 */
import { chmodSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { localAnchorWorld, restoreIncidentRows } from '../support/anchor-world.js';
import { runCli } from '../support/cli.js';
import { digestKeys } from '../support/tamper.js';

const BY = 'FG de Vries';
const WHY = 'record put back from the backup of 20 November after the disk was lost';

/** A store whose incident was anchored with its acknowledgement, then put back from a copy taken before it. */
async function restored(name: string) {
  const world = await localAnchorWorld(name, ['i-one', 'i-two']);
  expect((await world.anchor()).code).toBe(0); // digest 1
  cpSync(world.store, join(world.dir, 'copy'), { recursive: true });
  expect((await world.ack('anna', '2026-11-20T21:40:00Z')).code).toBe(0);
  expect((await world.anchor()).code).toBe(0); // digest 2: the acknowledgement anchored
  restoreIncidentRows(join(world.dir, 'copy'), world.store, world.id);
  const digestCount = () => readdirSync(world.digests).length;
  return { ...world, digestCount };
}

it('an incident put back from a backup fails every run until a person releases it, signed; then the runs pass', async () => {
  const { store, digests, keys, id, anchor, digestCount } = await restored('rel');
  expect((await runCli(['verify', '--store', store])).code, 'premise: the copy put back verifies on its own').toBe(0);

  // Run after run it fails naming the incident (before: for ever).
  for (let run = 0; run < 2; run++) {
    const failed = await anchor();
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(new RegExp(`incident ${id}, ledger \\d+: is gone, yet the head a digest anchored`));
  }

  // The release needs who and why: refused by name, nothing written.
  const before = digestCount();
  const noWhy = await anchor('--release', id, '--by', BY);
  expect(noWhy.code).toBe(2);
  expect(noWhy.stderr).toMatch(/anchor --release needs --why TEXT/);
  const noBy = await anchor('--release', id, '--why', WHY);
  expect(noBy.stderr).toMatch(/anchor --release needs --by NAME/);
  expect(digestCount()).toBe(before);

  // Released: a digest with the signed row, the incident anchored at the head it holds.
  const release = await anchor('--release', id, '--by', BY, '--why', WHY, '--json');
  expect(release.stderr).toMatch(new RegExp(`incident ${id} released by ${BY} in digest \\d+: gave up the head anchored`));
  expect(release.code, release.stderr).toBe(0);
  const out = JSON.parse(release.stdout) as {
    written: { name: string };
    released: { incident: string; anchored: [number, string]; taken: [number, string]; by: string; why: string }[];
  };
  expect(out.released).toEqual([expect.objectContaining({ incident: id, by: BY, why: WHY, anchored: expect.any(Array), taken: expect.any(Array) })]);
  const digest = JSON.parse(readFileSync(join(digests, out.written.name), 'utf8')) as { released: unknown[]; incidents: [string, number, string][] };
  expect(digest.released).toEqual(out.released);
  expect(digest.incidents).toContainEqual([id, ...out.released[0].taken]);
  // Digest 3 is the first failed run's: it lists the incident as left out (review15 K3); the release is the next.
  const sequence = Number(/(\d+)\.json$/.exec(out.written.name)?.[1]);
  expect(sequence).toBe(4);

  // The runs pass again: the timeline entry the release wrote is anchored, then nothing changes.
  expect((await anchor()).code).toBe(0);
  expect((await anchor()).stdout).toMatch(/Nothing changed since the last digest/);

  // verify --digests: clean, the release shown (text and JSON).
  const verified = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(verified.stderr).toBe('');
  expect(verified.stdout).toMatch(
    new RegExp(`Released by hand: incident ${id} in digest ${sequence} \\(.*\\) by ${BY}: gave up ledger entry \\d+ as anchored`),
  );
  expect(verified.code).toBe(0);
  const json = JSON.parse((await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public, '--json'])).stdout);
  expect(json.digests.released).toEqual([expect.objectContaining({ incident: id, by: BY, why: WHY, sequence })]);

  // The incident's own view: the timeline records the release.
  const shown = JSON.parse((await runCli(['show', id, '--store', store, '--json'])).stdout) as {
    timeline: { kind: string; actor: string; detail: Record<string, unknown> }[];
  };
  expect(shown.timeline.at(-1)).toMatchObject({ kind: 'anchor-released', actor: BY, detail: { digest: sequence, why: WHY } });
});

it('a release signed with another key, or a release row added to a signed digest, is not honoured: verify --digests names it and the head given up', async () => {
  const { dir, store, digests, keys, id } = await restored('relforge');
  // Signed with a key that is not the anchor's (whoever writes the digest location, without the key).
  // The anchor run with it refuses to continue a chain its key did not sign, and writes nothing.
  const other = digestKeys(dir, 'other-key');
  const forged = await runCli(['anchor', '--store', store, '--digests', digests, '--key', other.private, '--release', id, '--by', BY, '--why', WHY]);
  expect(forged.stderr).toMatch(
    /digest-0000000002\.json .*the store's last digest, is signed by key [0-9a-f]{32}, not this anchor's [0-9a-f]{32}: refusing to continue from it/,
  );
  expect(forged.code).toBe(3);
  expect(existsSync(join(digests, 'digest-0000000003.json'))).toBe(false);
  const verified = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(verified.stderr).toMatch(new RegExp(`incident ${id}, digest-0000000002\\.json: ledger entry \\d+ (is missing|differs) from digest 2`));
  expect(verified.stdout).not.toMatch(/Released by hand/);
  expect(verified.code).toBe(1);

  // A release row added to the digest that anchored the head: its signature no longer verifies.
  const name = join(digests, 'digest-0000000002.json');
  const body = JSON.parse(readFileSync(name, 'utf8'));
  body.released = [{ incident: id, anchored: body.incidents[0].slice(1), taken: [3, 'y'], by: BY, why: WHY, at: body.at }];
  chmodSync(name, 0o600);
  writeFileSync(name, JSON.stringify(body));
  const again = await runCli(['verify', '--store', store, '--digests', digests, '--key', keys.public]);
  expect(again.stderr).toMatch(/digest-0000000002\.json: its signature does not verify with the trusted key/);
  expect(again.stdout).not.toMatch(/Released by hand/);
  expect(again.code).toBe(1);
});

it('a release is refused, naming why, when the chain does not verify or nothing is pinned', async () => {
  const { store, id, ids, anchor, digestCount } = await restored('relrefuse');
  const before = digestCount();
  // The other incident holds every head pinned: nothing to give up.
  const other = ids.find((i) => i !== id) as string;
  const nothing = await anchor('--release', other, '--by', BY, '--why', WHY);
  expect(nothing.stderr).toMatch(new RegExp(`incident ${other} is not released: it still holds every head the digests pinned`));
  expect(nothing.code).toBe(2);

  // The restored incident's first ledger entry broken: the release never vouches for it.
  const db = new Database(join(store, 'datalek.sqlite'));
  db.prepare(`UPDATE ledger SET data = replace(data, '"at":"', '"at":" ') WHERE incident_id = ? AND seq = 1`).run(id);
  db.close();
  const broken = await anchor('--release', id, '--by', BY, '--why', WHY);
  expect(broken.stderr).toMatch(new RegExp(`incident ${id} is not released: its own chain does not verify \\(incident ${id}, ledger 1: `));
  expect(broken.code).toBe(2);
  expect(digestCount()).toBe(before);
});

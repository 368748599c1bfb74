/**
 * review7 K5: a finding type or a resource id becomes part of a DynamoDB key (`RES#<resource key>`,
 * a message's `MSG#…/type:<type>`), and DynamoDB refuses a partition key over 2048 bytes and a sort
 * key over 1024. Unbounded, such an event ended `replay --target aws` (exit 3, a ValidationException)
 * and the good events after it were never recorded, while the embedded store took it. The parser
 * bounds both, on every store: the event is one `rejected` line naming the field and its limit
 * (never the value), and the replay goes on.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines } from '../support/cli.js';
import { type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE } from '../support/moto.js';

describe.skipIf(!MOTO_AVAILABLE)('an event whose ids are too long for a DynamoDB key', () => {
  let world: CliAwsWorld;
  beforeAll(async () => {
    world = await cliAwsWorld();
  }, 600_000);
  afterAll(async () => world?.moto.stop());

  it('is one rejected line naming the field, and the events after it are recorded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'datalek-k5-'));
    const file = join(dir, 'events.json');
    const at = '2026-11-27T21:00:00.000Z';
    const longId = `i-${'a'.repeat(2100)}`;
    const longType = `Backdoor:EC2/${'B'.repeat(1100)}`;
    writeFileSync(
      file,
      JSON.stringify([
        findingEvent({ id: 'k5-long-instance', type: 'Backdoor:EC2/C&CActivity.B', instanceId: longId, createdAt: at }),
        findingEvent({ id: 'k5-good', type: 'Backdoor:EC2/C&CActivity.B', instanceId: 'i-0good', createdAt: at }),
        // A type of its own on the open incident: its message id would carry the type.
        findingEvent({ id: 'k5-long-type', type: longType, instanceId: 'i-0good', createdAt: at }),
        findingEvent({ id: 'k5-good-2', type: 'Recon:EC2/PortProbeUnprotectedPort', instanceId: 'i-0good', createdAt: at }),
      ]),
    );
    const r = await world.cli(['replay', file, '--json', '--now', '2026-11-28T00:00:00Z']);
    const lines = jsonLines(r.stdout);
    expect(r.stderr).not.toMatch(/ValidationException/);
    expect(lines.map((l) => l.outcome)).toEqual(['rejected', 'opened', 'rejected', 'attached']);
    const reasons = lines.filter((l) => l.outcome === 'rejected').map((l) => String(l.reason));
    expect(reasons[0]).toMatch(/detail\.resource\.instanceDetails\.instanceId.*at most \d+ bytes/);
    expect(reasons[1]).toMatch(/detail\.type.*at most \d+ bytes/);
    // The value is never repeated: it may be personal data or an attacker's text.
    expect(`${r.stdout}${r.stderr}`).not.toContain('aaaaaaaaaa');
    expect(`${r.stdout}${r.stderr}`).not.toContain('BBBBBBBBBB');
    expect(r.code).toBe(1);
  });
});

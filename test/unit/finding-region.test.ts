/**
 * The region check of a finding (core/finding.ts): every region the project's AWS SDK knows is
 * accepted, the EU sovereign cloud's `eusc-de-east-1` among them (review3 attack §7: a deployment
 * there had every finding rejected), and what is no region is still rejected, naming the field.
 * The SDK's partition table (@aws-sdk/core) is read here, so a partition it gains is checked too.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../handlers/core/finding.js';
import { findingEvent } from '../support/events.js';

interface Partitions {
  partitions: { id: string; regions: Record<string, unknown> }[];
}

/** The regions of every partition the SDK knows (not the `aws-global`-like pseudo regions). */
async function sdkRegions(): Promise<string[]> {
  const require = createRequire(import.meta.url);
  const core = require.resolve('@aws-sdk/core');
  const file = core.replace(/dist-cjs\/.*$/, 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js');
  const table = (await import(file)) as Record<string, Partitions>;
  const partitions = Object.values(table).find((v) => Array.isArray(v?.partitions)) as Partitions;
  return partitions.partitions.flatMap((p) => Object.keys(p.regions)).filter((r) => !r.endsWith('-global'));
}

function inRegion(region: string) {
  const e = findingEvent();
  e.region = region;
  e.detail.region = region;
  return e;
}

describe('the region of a finding', () => {
  it('accepts every region the SDK knows, the EU sovereign cloud’s included', async () => {
    const regions = await sdkRegions();
    expect(regions).toContain('eusc-de-east-1');
    expect(regions).toContain('us-gov-west-1');
    const rejected = regions.filter((r) => {
      try {
        return parseEvent(inRegion(r), { now: '2026-11-28T00:00:00.000Z' }).kind !== 'finding';
      } catch {
        return true;
      }
    });
    expect(rejected).toEqual([]);
  });

  it.each(['EU-WEST-1', 'eu-west', 'eu_west_1', 'eu-west-1 ', 'x-west-1', 'europe-west-1', 'eu-west-123', '../eu-west-1', 'eu-west-1\n'])(
    'rejects %j, naming the field',
    (region) => {
      expect(() => parseEvent(inRegion(region), { now: '2026-11-28T00:00:00.000Z' })).toThrow(/detail\.region: expected an AWS region/);
    },
  );
});

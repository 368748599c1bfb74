/**
 * The contain function's ledger check (the stored finding's bytes must be those the ledger recorded)
 * runs on every "Incident Updated", so per finding event: it must read the ledger entry that wrote
 * the finding, not the incident's whole partition and every finding it holds (review6 R16: 195
 * items read per run with 60 earlier findings; in a storm O(N) per event, in a Lambda with a
 * deadline). Here: 60 findings on one instance (no containment for their type), then one that calls
 * for the isolation; the run's reads must not grow with the 60 before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { runContainment } from '../../handlers/core/contain.js';
import { parsePolicy } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import type { Containment } from '../../handlers/ports/containment.js';
import { findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const TABLE = 'datalek-incidents';
const policy = parsePolicy({ containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], mode: 'enforce' }] } });
const INSTANCE = 'i-0storm000000001';

describe.skipIf(!MOTO_AVAILABLE)('what the ledger check of a containment run reads', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
  }, 180_000);
  afterAll(async () => {
    await moto?.stop();
  });

  it('does not grow with the incident’s history', { timeout: 240_000 }, async () => {
    const client = moto.clients.dynamodb;
    const store = new DynamoDbIncidentStore(client, TABLE);
    const at = (m: number) => new Date(Date.parse('2026-11-28T03:00:00.000Z') + m * 1000).toISOString();
    for (let i = 0; i < 60; i++) {
      const hex = i.toString(16).padStart(2, '0');
      await recordEvent(
        { store, policy, now: () => at(i), canEnforce: true },
        findingEvent({ id: `a10000000000000000000000000000${hex}`, type: 'Recon:EC2/PortProbeUnprotectedPort', instanceId: INSTANCE, createdAt: at(i) }),
      );
    }
    const live = await recordEvent(
      { store, policy, now: () => at(100), canEnforce: true },
      findingEvent({ id: 'b1000000000000000000000000000001', type: 'Backdoor:EC2/C&CActivity.B', severity: 8, instanceId: INSTANCE, createdAt: at(100) }),
    );
    let read = 0;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        const o = out.output as { ScannedCount?: number; Responses?: Record<string, unknown[]> };
        if (context.commandName === 'QueryCommand') read += Number(o.ScannedCount ?? 0);
        if (context.commandName === 'BatchGetItemCommand') read += Object.values(o.Responses ?? {}).reduce((n, l) => n + l.length, 0);
        return out;
      },
      { step: 'initialize', name: 'countRead' },
    );
    const adapter: Containment = {
      canEnforce: true,
      async execute(action, ctx) {
        await ctx.record({ name: action.type, status: 'done', at: at(101) });
      },
      async release() {},
    };
    const result = await runContainment({ store, policy, now: () => at(101), containment: adapter }, live.incidentId as string);
    expect(result.actions.some((a) => a.status === 'done')).toBe(true);
    // Bounded by what the run acts on, not by the 60 findings and their entries before it.
    expect(read).toBeLessThan(30);
  });
});

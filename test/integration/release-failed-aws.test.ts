import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteNetworkInterfaceCommand, DescribeNetworkInterfacesCommand, DetachNetworkInterfaceCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { jsonLines, ROOT } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { buildScenario } from '../support/ec2-scenario.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

/**
 * `datalek release` on AWS whose restore call is refused (here the interface is gone; a denied or
 * throttled call is recorded the same way): the adapter records the step failed, the command exits 1,
 * `--json` lists the action under `failed`, and `show` keeps it in effect and releasable: a second
 * release is offered it (review5 A5). The other interface was restored: the command says PARTLY
 * released, naming what is undone and what is still in effect (the last note's "Still left").
 */
describe.skipIf(!MOTO_AVAILABLE)('a release whose restore fails, on moto', () => {
  let moto: Moto;
  let c: ContainmentClients;
  let world: CliAwsWorld;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-release-failed-'));
  const cli = (args: string[]) => world.cli(args);

  beforeAll(async () => {
    world = await cliAwsWorld();
    ({ moto, c } = world);
  });
  afterAll(async () => moto?.stop());

  it('is not recorded as released, exits 1 naming it, and can be tried again', async () => {
    const s = await buildScenario(c);
    const eni = s.enis[1];
    const text = readFileSync(join(ROOT, 'events', '01-ec2-backdoor-command-and-control-high.json'), 'utf8')
      .replaceAll('111122223333', ACCOUNT)
      .replaceAll('i-0a1b2c3d4e5f60718', s.instanceId);
    const file = join(dir, 'cc.json');
    writeFileSync(file, text);
    const replayed = await cli(['replay', file, '--enforce', '--json']);
    expect(replayed.code, replayed.stderr).toBe(0);
    const id = (jsonLines(replayed.stdout) as { incidentId: string }[])[0].incidentId;
    const groupsOf = async () =>
      ((await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni.id] }))).NetworkInterfaces?.[0].Groups ?? []).map((g) => g.GroupId);
    expect(await groupsOf()).not.toEqual(eni.groups);
    // The interface is gone when the release comes (moto accepts what AWS refuses, such as a group
    // that was deleted; an interface that does not exist it refuses): putting its groups back fails.
    const attachment = (await c.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [eni.id] }))).NetworkInterfaces?.[0].Attachment;
    await c.ec2.send(new DetachNetworkInterfaceCommand({ AttachmentId: attachment?.AttachmentId as string, Force: true }));
    await c.ec2.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni.id }));

    const r = await cli(['release', id, '--by', 'oncall', '--reason', 'false positive', '--json']);

    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as {
      released: unknown[];
      failed: { id: string; steps: { name: string; status: string }[]; partly?: { undone: string[]; stillInEffect: string[] } }[];
    };
    expect(out.released).toEqual([]);
    expect(out.failed).toHaveLength(1);
    expect(out.failed[0].steps).toContainEqual(expect.objectContaining({ name: `restore-eni:${eni.id}`, status: 'failed' }));
    // The primary interface (its id is not in the scenario) was restored.
    const restored = out.failed[0].steps.find((st) => st.name.startsWith('restore-eni:') && st.status === 'done')?.name as string;
    expect(restored).toMatch(/^restore-eni:eni-/);
    expect(out.failed[0].partly).toEqual({ undone: [restored], stillInEffect: [`restore-eni:${eni.id}`] });
    const shown = JSON.parse((await cli(['show', id, '--json'])).stdout) as {
      actions: { type: string; status: string; released?: unknown }[];
      timeline: { kind: string }[];
    };
    const isolation = shown.actions.find((a) => a.type === 'isolate-instance');
    expect(isolation).toMatchObject({ status: 'done' });
    expect(isolation?.released).toBeUndefined();
    expect(shown.timeline.map((e) => e.kind)).toContain('containment-release-failed');
    // Offered again (and fails again the same way, saying so).
    const again = await cli(['release', id, '--by', 'oncall', '--reason', 'false positive']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`PARTLY released ${out.failed[0].id}: ${restored} undone; restore-eni:${eni.id} still in effect`);
  });
});

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainmentClients } from '../../handlers/adapters/aws/containment/clients.js';
import { jsonLines, ROOT, spawnCli } from '../support/cli.js';
import { MOTO_ACCOUNT as ACCOUNT, type CliAwsWorld, cliAwsWorld } from '../support/cli-aws.js';
import { buildScenario } from '../support/ec2-scenario.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';

/**
 * EC2 on moto behind a proxy that refuses `ModifyNetworkInterfaceAttribute` of one interface
 * (UnauthorizedOperation, as AWS answers a role denied it); everything else is passed on. moto denies
 * nothing, and an interface deleted since is no failed restore (readC20: nothing to restore).
 */
async function refusingEc2(target: string, eniId: string): Promise<Server & { url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('Action') === 'ModifyNetworkInterfaceAttribute' && form.get('NetworkInterfaceId') === eniId) {
        res.writeHead(403, { 'content-type': 'text/xml' });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>readc20</RequestID></Response>',
        );
        return;
      }
      const url = new URL(req.url ?? '/', target);
      const out = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
      });
      out.on('error', (err) => res.destroy(err));
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(server, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/**
 * `datalek release` on AWS whose restore call is refused (here denied, by a proxy; a throttled call
 * is recorded the same way): the adapter records the step failed, the command exits 1,
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
    // The release's restore of this interface is refused: putting its groups back fails.
    const proxy = await refusingEc2(moto.endpoint, eni.id);
    const viaProxy = (args: string[]) => spawnCli([...args, '--target', 'aws'], { ...moto.env, AWS_ENDPOINT_URL_EC2: proxy.url });

    const r = await viaProxy(['release', id, '--by', 'oncall', '--reason', 'false positive', '--json']);

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
    const again = await viaProxy(['release', id, '--by', 'oncall', '--reason', 'false positive']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`PARTLY released ${out.failed[0].id}: ${restored} undone; restore-eni:${eni.id} still in effect`);
    proxy.close();
  });
});

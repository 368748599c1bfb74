import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNetworkInterfacesCommand, ModifyNetworkInterfaceAttributeCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { changeIncident } from '../../handlers/core/change-incident.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { jsonLines } from '../support/cli.js';
import { type CliAwsWorld, cliAwsWorld, worldEvent } from '../support/cli-aws.js';
import { buildScenario, showOwnInterfaceGroups } from '../support/ec2-scenario.js';
import { MOTO_AVAILABLE, type Moto } from '../support/moto.js';
import { csrfOf, form, formBase, pageText, request, signIn, startServe } from '../support/serve.js';

interface Shown {
  state: string;
  actions: { id: string; type: string; target: string; status: string; released?: { at: string; by: string; reason: string } }[];
  timeline: { kind: string; actor?: string; detail: Record<string, unknown> }[];
}

/**
 * A closing releases nothing: a closed incident's isolation, never released, stays in effect, and its
 * record, the register and the AP draft say the instance is isolated. Another incident's release that
 * undoes the same isolation read only the open incidents for what else holds it: it restored the
 * groups with no word, and the closed record said isolated while the instance was open (session 25).
 */
describe.skipIf(!MOTO_AVAILABLE)("release of what a closed incident's unreleased containment holds, on moto", () => {
  let moto: Moto;
  let world: CliAwsWorld;
  const dir = mkdtempSync(join(tmpdir(), 'datalek-release-closed-'));
  const cli = (args: string[]) => world.cli(args);
  const run = (args: string[]) => world.run(args);
  const event = (name: string, replace: Record<string, string>) => worldEvent(dir, name, replace);
  const replay = async (file: string) => {
    const r = await run(['replay', file, '--enforce', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return (jsonLines(r.stdout) as { incidentId: string }[])[0].incidentId;
  };
  /** The AP draft's "measures taken" (null when none). */
  const measuresInDraft = async (id: string) => {
    const fields: { key: string; value: string | null }[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (o.key === 'measuresTaken' && 'value' in o) fields.push(o as { key: string; value: string | null });
        Object.values(o).forEach(walk);
      }
    };
    walk(JSON.parse((await run(['draft', id, '--format', 'json', '--lang', 'en'])).stdout));
    expect(fields).toHaveLength(1);
    return fields[0].value;
  };
  const show = async (id: string) => JSON.parse((await run(['show', id, '--json'])).stdout) as Shown;
  /** Each network interface of the instance with its groups' ids. */
  const groupsOf = async (instanceId: string) => {
    const out = await world.c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }));
    return Object.fromEntries((out.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId as string, (n.Groups ?? []).map((g) => g.GroupId as string)]));
  };

  beforeAll(async () => {
    world = await cliAwsWorld();
    moto = world.moto;
  });
  afterAll(async () => moto?.stop());

  it('is refused naming the closed incident; --undo-for records it released there, the incident staying closed, and its FG and on-call told', async () => {
    const s = await buildScenario(world.c);
    await showOwnInterfaceGroups(world.c.ec2, [s.instanceId]);
    const own = await groupsOf(s.instanceId);
    const cc = (findingId: string) =>
      event('01-ec2-backdoor-command-and-control-high', { 'i-0a1b2c3d4e5f60718': s.instanceId, a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6: findingId });
    const B = await replay(cc('b1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'));
    const isolatedGroups = await groupsOf(s.instanceId);
    expect(Object.keys(isolatedGroups).length).toBe(2);
    expect(isolatedGroups).not.toEqual(own);
    // Its groups put back on AWS by someone outside datalek, and B closed by its FG: closing releases nothing,
    // and B's record still says the instance is isolated.
    for (const [id, groups] of Object.entries(own)) {
      await world.c.ec2.send(new ModifyNetworkInterfaceAttributeCommand({ NetworkInterfaceId: id, Groups: groups }));
    }
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const now = () => new Date().toISOString();
    await changeIncident({ store, now, policy: DEFAULT_POLICY }, B, (draft) => {
      draft.state = 'closed';
      draft.closedAt = now();
      draft.closeReason = 'afgehandeld';
      return { entries: [{ at: now(), kind: 'closed', actor: 'FG', detail: { reason: 'afgehandeld' } }] };
    });
    // A later finding on the instance opens A (B is closed), which isolates it again: the instance is isolated, as B's record says.
    const A = await replay(cc('c1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6'));
    expect(A).not.toBe(B);
    expect(await groupsOf(s.instanceId)).toEqual(isolatedGroups);
    const isolated = (x: Shown) => x.actions.find((a) => a.type === 'isolate-instance' && a.target === s.instanceId);
    expect(isolated(await show(A))?.status).toBe('done');
    expect(isolated(await show(B))).toMatchObject({ status: 'done' });

    expect(await measuresInDraft(B)).toContain(s.instanceId);

    const refused = await cli(['release', A, '--by', 'oncall', '--reason', 'vals positief']);
    expect(refused.code, refused.stdout).toBe(2);
    expect(refused.stderr).toContain(`releasing incident ${A} would undo containment that another closed incident still holds:`);
    expect(refused.stderr).toContain(`incident ${B} (closed): isolate-instance ${s.instanceId} (done, not released; closing released nothing)`);
    expect(refused.stderr).toContain(`add --undo-for ${B}`);
    expect(refused.stderr).not.toContain('once that one is closed');
    expect(await groupsOf(s.instanceId)).toEqual(isolatedGroups);

    // The page's release form: the same refusal in its words, naming the closed incident and the field that names it.
    const served = await startServe(['--target', 'aws'], moto.env);
    const actor = served.actor;
    try {
      const cookie = await signIn(served);
      const page = await request(served, `/incidents/${A}`, { headers: { cookie } });
      const onPage = await request(served, `/incidents/${A}/release`, {
        method: 'POST',
        body: form({ reason: 'vals positief', ...formBase(page.body, 'release'), _csrf: csrfOf(page.body) }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(pageText(onPage.body)).toContain(`Opheffen van incident ${A} maakt inperking ongedaan die een ander gesloten incident nog vasthoudt:`);
      expect(pageText(onPage.body)).toContain(`incident ${B} (gesloten): isolate-instance ${s.instanceId}`);
      expect(pageText(onPage.body)).toContain(`vul bij "Ook opheffen voor incident(en)" ${B} in`);
    } finally {
      await served.stop();
    }
    expect(await groupsOf(s.instanceId)).toEqual(isolatedGroups);

    const r = await run(['release', A, '--by', actor, '--reason', 'vals positief', '--undo-for', B]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Undone for incident ${B}: isolate-instance:${s.instanceId} recorded as released there`);
    expect(await groupsOf(s.instanceId)).toEqual(own);

    // B's record says the containment was undone, when, by whom and why; it stays closed, and nothing is planned there.
    const after = await show(B);
    expect(after.state).toBe('closed');
    expect(isolated(after)).toMatchObject({ status: 'released', released: { by: actor, reason: `undone by the release of incident ${A}: vals positief` } });
    expect(after.timeline.at(-1)).toMatchObject({ kind: 'containment-released', actor, detail: { undoneBy: A, now: 'released' } });
    const messages = JSON.parse((await run(['messages', B, '--json'])).stdout) as { kind: string; channel: string }[];
    expect(
      messages
        .filter((m) => m.kind === 'released')
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['fg', 'on-call']);
    expect(await measuresInDraft(B)).toBeNull();
    const register = JSON.parse((await run(['register', '--format', 'json'])).stdout) as { incidentId: string; measuresTaken: string }[];
    expect(register.find((x) => x.incidentId === B)?.measuresTaken).toContain(
      `; released at ${after.actions.find((a) => a.type === 'isolate-instance')?.released?.at} by ${actor}: undone by the release of incident ${A}: vals positief`,
    );
  }, 240_000);
});

/**
 * sec (session 26) item 1: with `--target aws` the CLI recorded a person's decision under `--by` (or
 * the OS user) alone: anyone with write access to the table could record an assessment as the FG,
 * and the record did not say whose AWS credentials wrote it, though STS tells (the assumed role and
 * its session). Each entry a `--target aws` run writes now carries the caller's ARN beside the
 * actor (`caller`), covered by the entry's hash; a run whose caller STS does not tell records nothing.
 * On moto, with credentials of roles assumed through moto's STS.
 */
import { DynamoDBClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';
import { MOTO_ACCOUNT, sessionEnv } from '../support/cli-aws.js';
import { startDenyingProxy } from '../support/denying-proxy.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const FG = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/datalek-fg/alice`;
const ON_CALL = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/datalek-on-call/bob`;

describe.skipIf(!MOTO_AVAILABLE)("the caller's identity on every --target aws write, on moto", () => {
  let moto: Moto;
  let id: string;
  /** The environment of a session of `role` named `session`, assumed through moto's STS. */
  const as = async (role: string, session: string) => ({ ...moto.env, ...(await sessionEnv(moto, role, session)) });
  const cli = (args: string[], env: Record<string, string>) => spawnCli([...args, '--target', 'aws'], env);
  const lastEntry = async () => JSON.parse((await cli(['show', id, '--json'], moto.env)).stdout).timeline.at(-1);

  beforeAll(async () => {
    moto = await startMoto();
    expect((await cli(['setup'], moto.env)).code).toBe(0);
    const replay = await cli(
      ['replay', 'events/08-s3-bucket-made-public-anonymous-access.json', '--json', '--now', '2026-11-28T08:00:00Z'],
      await as('datalek-on-call', 'bob'),
    );
    expect(replay.code, replay.stderr).toBe(0);
    id = JSON.parse(replay.stdout).incidentId;
  }, 60_000);
  afterAll(async () => moto?.stop());
  const TABLE_ARN = `arn:aws:dynamodb:eu-west-1:${MOTO_ACCOUNT}:table/datalek-incidents`;
  const dynamodb = () =>
    new DynamoDBClient({ region: 'eu-west-1', endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  /** The deployment's change of the FG's role: the table's tag (as the CDK app or break-glass puts it). */
  const tagTable = async (role: string) => {
    // moto adds a tag of a key the table has beside it, where DynamoDB replaces it: untagged first.
    await untagTable();
    const c = dynamodb();
    await c.send(new TagResourceCommand({ ResourceArn: TABLE_ARN, Tags: [{ Key: 'datalek:fg-role', Value: role }] })).finally(() => c.destroy());
  };
  async function untagTable() {
    const c = dynamodb();
    await c.send(new UntagResourceCommand({ ResourceArn: TABLE_ARN, TagKeys: ['datalek:fg-role'] })).finally(() => c.destroy());
  }

  it("records the on-call session's ARN beside --by on an acknowledgement, and on the pipeline's entries of a replay it ran", async () => {
    const { timeline } = JSON.parse((await cli(['show', id, '--json'], moto.env)).stdout);
    expect(timeline.find((e: { kind: string }) => e.kind === 'incident-opened')).toMatchObject({ actor: 'system', caller: ON_CALL });
    const ack = await cli(['ack', id, '--by', 'Bob', '--now', '2026-11-28T08:10:00Z'], await as('datalek-on-call', 'bob'));
    expect(ack.code, ack.stderr).toBe(0);
    expect(await lastEntry()).toMatchObject({ kind: 'acknowledged', actor: 'Bob', caller: ON_CALL });
  }, 60_000);

  it("records the FG session's ARN beside --by on an assessment, covered by the entry's hash", async () => {
    const assess = await cli(
      ['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'klantgegevens openbaar', '--by', 'A. de Vries', '--now', '2026-11-28T09:00:00Z'],
      await as('datalek-fg', 'alice'),
    );
    expect(assess.code, assess.stderr).toBe(0);
    expect(await lastEntry()).toMatchObject({ kind: 'assessed', actor: 'A. de Vries', caller: FG });
    const verify = await cli(['verify', id], moto.env);
    expect(verify.code, verify.stderr).toBe(0);
  }, 60_000);

  it('records nothing when STS does not say who the caller is', async () => {
    const before = await lastEntry();
    // STS unreachable, DynamoDB and SNS answering: the write would go through without its caller.
    const env = { ...(await as('datalek-fg', 'alice')), AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' };
    const close = await cli(['close', id, '--reason', 'afgehandeld', '--by', 'A. de Vries'], env);
    expect(close.code).toBe(3);
    expect(close.stderr).toContain('AWS did not say who these credentials belong to (sts:GetCallerIdentity');
    expect(close.stderr).toContain('nothing was recorded');
    expect(await lastEntry()).toEqual(before);
  }, 60_000);

  it("refuses the FG's decisions from on-call's role, recording nothing, and names the role they take", async () => {
    const before = await lastEntry();
    const onCall = await as('datalek-on-call', 'bob');
    for (const args of [
      ['assess', id, '--personal-data', 'no', '--risk', 'none', '--reason', 'toch niet', '--by', 'A. de Vries'],
      ['reported', id, '--reference', 'M-1', '--by', 'A. de Vries'],
      ['subjects', id, '--decision', 'exception', '--exception', 'encrypted', '--reason', 'versleuteld', '--by', 'A. de Vries'],
      ['close', id, '--reason', 'afgehandeld', '--by', 'A. de Vries'],
    ]) {
      const r = await cli(args, onCall);
      expect(r.code, args[0]).toBe(2);
      expect(r.stderr, args[0]).toContain(`${args[0]} is the FG's decision: on AWS it is recorded only as the FG's role datalek-fg`);
      expect(r.stderr, args[0]).toContain(ON_CALL);
    }
    expect(await lastEntry()).toEqual(before);
    // A shell variable no longer names the FG's role (fgrole item 2): on-call naming its own role is refused still.
    const widened = await cli(['close', id, '--reason', 'afgehandeld', '--by', 'A. de Vries'], { ...onCall, DATALEK_FG_ROLE: 'datalek-on-call' });
    expect(widened.code).toBe(2);
    expect(widened.stderr).toContain("recorded only as the FG's role datalek-fg of account 123456789012, the register's");
    // Another FG role named by the deployment (the table's tag, the CDK app's fgRole): its sessions record, others not.
    await tagTable('fg-sso');
    try {
      const named = await cli(['close', id, '--reason', 'afgehandeld', '--by', 'A. de Vries'], await as('datalek-fg', 'alice'));
      expect(named.code).toBe(2);
      expect(named.stderr).toContain("recorded only as the FG's role fg-sso of account 123456789012");
      // A table naming no FG role refuses every FG decision, and says how to name it.
      await untagTable();
      const none = await cli(['close', id, '--reason', 'afgehandeld', '--by', 'A. de Vries'], await as('datalek-fg', 'alice'));
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('names no FG role (its tag datalek:fg-role)');
    } finally {
      await tagTable('datalek-fg');
    }
    expect(await lastEntry()).toEqual(before);
  }, 120_000);

  it("names in verify and show an FG decision whose caller is not the FG's role: recorded while the deployment named another, or naming none (fgrole item 3)", async () => {
    // The deployment named on-call's role for a while (a mistaken -c fgRole): its decision is recorded, and stays in the record.
    await tagTable('datalek-on-call');
    try {
      const r = await cli(
        ['assess', id, '--personal-data', 'yes', '--risk', 'high', '--reason', 'door on-call vastgelegd', '--by', 'Bob', '--now', '2026-11-28T09:30:00Z'],
        await as('datalek-on-call', 'bob'),
      );
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await tagTable('datalek-fg');
    }
    const entry = await lastEntry();
    expect(entry).toMatchObject({ kind: 'assessed', caller: ON_CALL });
    // Named, not failed: the chain holds, and a record's history cannot be rewritten; the FG must be able to account for it.
    const verify = await cli(['verify', id], moto.env);
    expect(verify.code, verify.stderr).toBe(0);
    // As the register names a caller (labels.ts callerLabel): its role and account, never the session's name (often a person's e-mail).
    expect(verify.stderr).toContain(
      `FG DECISION NOT BY THE FG'S ROLE: incident ${id}, entry ${entry.seq} (assessed) recorded as role datalek-on-call of account ${MOTO_ACCOUNT},`,
    );
    expect(verify.stderr).not.toContain(ON_CALL);
    // The FG's own assessment before it is not named.
    const fgEntry = JSON.parse((await cli(['show', id, '--json'], moto.env)).stdout).timeline.find((e: { caller?: string }) => e.caller === FG);
    expect(verify.stderr).not.toContain(`entry ${fgEntry.seq} (`);
    const json = JSON.parse((await cli(['verify', id, '--json'], moto.env)).stdout);
    expect(json.fgDecisionsNotByFg).toEqual([{ incidentId: id, seq: entry.seq, kind: 'assessed', caller: `role datalek-on-call of account ${MOTO_ACCOUNT}` }]);
    expect(JSON.stringify(json)).not.toContain('datalek-on-call/bob');
    // show names each caller so too, and says what it leaves out and where it is (fgr28 item 2).
    const show = await cli(['show', id], moto.env);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`Bob (as role datalek-on-call of account ${MOTO_ACCOUNT}; not the FG's role)`);
    expect(show.stdout).toContain(`A. de Vries (as role datalek-fg of account ${MOTO_ACCOUNT})`);
    expect(show.stdout).not.toContain('datalek-on-call/bob');
    expect(show.stdout).not.toContain('datalek-fg/alice');
    expect(show.stdout).toContain("the session's name (often a person's e-mail address) is left out");
  }, 120_000);

  it("says in show and verify that who recorded the FG's decisions was not checked when the table's tag cannot be read, naming the error's kind and the permission (fgr28 item 1)", async () => {
    // moto enforces no IAM: the proxy answers ListTagsOfResource as DynamoDB answers a role without it.
    const proxy = await startDenyingProxy(moto.endpoint, ['ListTagsOfResource'], ON_CALL);
    try {
      const env = { ...moto.env, AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint };
      // show on stdout, verify on stderr (its output goes into tickets): the error's kind, the
      // permissions, and not the session's name that AWS's message gives with the caller's ARN.
      for (const [command, stream] of [
        ['show', 'stdout'],
        ['verify', 'stderr'],
      ] as const) {
        const r = await cli([command, id], env);
        expect(r.code, r.stderr).toBe(0);
        const said = r[stream].replace(/\s+/g, ' ');
        expect(said).toContain(
          "who recorded the FG's decisions was not checked: the FG's role could not be read from the incidents table (AccessDeniedException:",
        );
        expect(said).toContain('dynamodb:DescribeTable and dynamodb:ListTagsOfResource');
        expect(said).not.toContain('datalek-on-call/bob');
        const json = JSON.parse((await cli([command, id, '--json'], env)).stdout);
        expect(json.fgRoleUnknown).toMatch(/^AccessDeniedException: /);
        expect(json.fgRoleUnknown).not.toContain('datalek-on-call/bob');
      }
      expect(proxy.denied).toContain('ListTagsOfResource');
    } finally {
      await proxy.stop();
    }
    // A table naming no FG role: said as that, not as an error.
    await untagTable();
    try {
      const none = await cli(['show', id], moto.env);
      expect(none.code, none.stderr).toBe(0);
      const said = none.stdout.replace(/\s+/g, ' ');
      expect(said).toContain("who recorded the FG's decisions was not checked: the incidents table arn:");
      expect(said).toContain('names no FG role (its tag datalek:fg-role)');
      expect(said).toContain('To fix: deploy DatalekState');
    } finally {
      await tagTable('datalek-fg');
    }
  }, 120_000);
});

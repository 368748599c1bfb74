/**
 * `datalek serve --target aws` on moto: the page reads and writes DynamoDB with the user's own
 * credentials, and the person acting is the identity of those credentials (STS), never a name.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIncidentStore } from '../../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../../handlers/adapters/aws/setup.js';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { recordEvent } from '../../handlers/core/record-finding.js';
import { jsonLines, spawnCli } from '../support/cli.js';
import { FG_SESSION, MOTO_ACCOUNT, sessionEnv } from '../support/cli-aws.js';
import { bucketResource, findingEvent } from '../support/events.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';
import { csrfOf, form, formBase, request, type Served, signIn, startServe } from '../support/serve.js';

// The identity of the credentials the page is served with: a session of the FG's role, which alone records the FG's decisions.
const CALLER = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/${FG_SESSION.role}/${FG_SESSION.session}`;
const ON_CALL = `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/datalek-on-call/bob`;

describe.skipIf(!MOTO_AVAILABLE)('datalek serve --target aws, on moto', () => {
  let moto: Moto;
  let store: DynamoDbIncidentStore;
  let served: Served;
  let id: string;
  let bucketIncident: string;

  beforeAll(async () => {
    moto = await startMoto();
    await setupAwsResources(moto.clients);
    store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const recorded = await recordEvent(
      { store, policy: DEFAULT_POLICY, now: () => '2026-11-28T02:00:00.000Z', canEnforce: false },
      findingEvent({ id: 'serve-aws', createdAt: '2026-11-28T01:00:00Z' }),
    );
    id = recorded.incidentId as string;
    // A public bucket whose access block the pipeline turned on (--enforce), for the release form.
    const s3 = new S3Client({
      endpoint: moto.endpoint,
      region: 'eu-west-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'serve-release', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
    s3.destroy();
    const events = join(mkdtempSync(join(tmpdir(), 'datalek-serve-aws-')), 'bucket.json');
    writeFileSync(
      events,
      JSON.stringify([
        findingEvent({
          id: 'serve-bucket',
          accountId: '123456789012',
          type: 'Policy:S3/BucketAnonymousAccessGranted',
          resource: bucketResource('serve-release', 'PUBLIC'),
          createdAt: '2026-11-28T01:00:00Z',
        }),
      ]),
    );
    const replay = await spawnCli(['replay', events, '--target', 'aws', '--enforce', '--json', '--now', '2026-11-28T02:00:00Z'], moto.env);
    expect(replay.code, replay.stderr).toBe(0);
    bucketIncident = jsonLines(replay.stdout)[0].incidentId as string;
    served = await startServe(['--target', 'aws', '--now', '2026-11-28T03:00:00Z'], {
      ...moto.env,
      ...(await sessionEnv(moto, FG_SESSION.role, FG_SESSION.session)),
    });
  });
  afterAll(async () => {
    await served?.stop();
    await moto?.stop();
  });

  it('acts as the identity of the credentials, on the incidents in DynamoDB', async () => {
    expect(served.actor).toBe(CALLER);
    const cookie = await signIn(served);
    const overview = await request(served, '/', { headers: { cookie } });
    expect(overview.body).toContain(id);
    expect(overview.body).toContain(CALLER);

    const page = (await request(served, `/incidents/${id}`, { headers: { cookie } })).body;
    const csrf = csrfOf(page);
    const post = (action: string, fields: Record<string, string>) =>
      request(served, `/incidents/${id}/${action}`, {
        method: 'POST',
        body: form({ ...fields, ...formBase(page, action), _csrf: csrf }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
    expect((await post('ack', { note: 'van de pagina' })).status).toBe(303);
    // Served at a stated 03:00 on 28 November, entered after that AP deadline by the machine's clock: a
    // decision that stops the AP clock asks the confirmation of the stated time (atk28 F16).
    expect(
      (await post('assess', { 'personal-data': 'no', risk: 'none', reason: 'testomgeving zonder persoonsgegevens', 'confirm-stated-time': 'on' })).status,
    ).toBe(303);
    const incident = await store.getIncident(id);
    expect(incident?.acknowledgedBy).toBe(CALLER);
    expect(incident?.assessment).toMatchObject({ personalData: 'no', risk: 'none', notifiable: false, by: CALLER });
    // A name in the form changes nothing about who acts.
    expect((await post('facts', { records: '0', by: 'mallory' })).status).toBe(303);
    expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'facts-recorded', actor: CALLER });
  });

  it('releases containment that was carried out, from the page, as that identity', async () => {
    const cookie = await signIn(served);
    const page = await request(served, `/incidents/${bucketIncident}`, { headers: { cookie } });
    expect(page.body).toContain(`action="/incidents/${bucketIncident}/release"`);
    const reply = await request(served, `/incidents/${bucketIncident}/release`, {
      method: 'POST',
      body: form({ reason: 'publieke website, met de FG afgestemd', ...formBase(page.body, 'release'), _csrf: csrfOf(page.body) }),
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(reply.status).toBe(303);
    const incident = await store.getIncident(bucketIncident);
    expect(incident?.actions[0]).toMatchObject({
      type: 'block-public-access',
      status: 'done',
      released: { by: CALLER, reason: 'publieke website, met de FG afgestemd' },
    });
    expect((await store.getTimeline(bucketIncident)).at(-1)).toMatchObject({ kind: 'containment-released', actor: CALLER });
    // Nothing is left to release: the form is gone.
    expect((await request(served, `/incidents/${bucketIncident}`, { headers: { cookie } })).body).not.toContain('/release"');
  });

  it("refuses the FG's decisions on the page served as on-call's role, and takes on-call's own (sec, session 26)", async () => {
    const onCall = await startServe(['--target', 'aws', '--now', '2026-11-28T03:00:00Z'], {
      ...moto.env,
      ...(await sessionEnv(moto, 'datalek-on-call', 'bob')),
    });
    try {
      expect(onCall.actor).toBe(ON_CALL);
      const cookie = await signIn(onCall);
      const page = (await request(onCall, `/incidents/${id}`, { headers: { cookie } })).body;
      // The page knows it is not served as the FG's role (fgrole item 5): the FG's forms are not
      // offered, their decisions stand read-only above, and one line says why; on-call's own stay.
      expect(page).not.toMatch(/<form [^>]*id="assess"/);
      expect(page).not.toMatch(/<form [^>]*id="close"/);
      expect(page).toMatch(/<form [^>]*id="facts"/);
      expect(page).toContain('id="fg-read-only"');
      expect(page).toContain('Besluiten van de FG worden op deze pagina alleen getoond');
      // The line names the page's identity by its role and account, and says the session's name is left out (fgr28 item 2).
      const readOnly = /<p id="fg-read-only"[^>]*>([^<]*)<\/p>/.exec(page)?.[1] ?? '';
      expect(readOnly).toContain(`rol datalek-on-call van account ${MOTO_ACCOUNT} (de naam van de sessie, vaak iemands e-mailadres, is weggelaten)`);
      expect(readOnly).not.toContain('datalek-on-call/bob');
      // The FG's own page offers them, without the note.
      const fgCookie = await signIn(served);
      const fgPage = (await request(served, `/incidents/${id}`, { headers: { cookie: fgCookie } })).body;
      expect(fgPage).toMatch(/<form [^>]*id="assess"/);
      expect(fgPage).not.toContain('id="fg-read-only"');
      // A post made without the form (as a page served before would send it) is still refused where the store writes.
      const post = (action: string, fields: Record<string, string>) =>
        request(onCall, `/incidents/${id}/${action}`, {
          method: 'POST',
          body: form({ ...fields, ...formBase(fgPage, action), _csrf: csrfOf(page) }),
          headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        });
      const before = await store.getIncident(id);
      const refused = await post('assess', { 'personal-data': 'yes', risk: 'high', reason: 'toch persoonsgegevens' });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('datalek-fg');
      const problem = /<div class="problem" role="alert"[^>]*>([\s\S]*?)<\/div>/.exec(refused.body)?.[1] ?? '';
      expect(problem).toContain(`deze pagina schrijft als rol datalek-on-call van account ${MOTO_ACCOUNT}`);
      expect(problem).not.toContain('datalek-on-call/bob');
      // In the page's language (the policy's, Dutch here), naming the page, not a command to run.
      expect(refused.body).toContain('een besluit van de FG (de beoordeling)');
      expect(refused.body, 'the entry kind is no word for the FG').not.toContain("('assessed')");
      expect(refused.body).not.toContain('Run it with');
      expect((await store.getIncident(id))?.assessment).toEqual(before?.assessment);
      expect((await post('facts', { records: '3' })).status).toBe(303);
      expect((await store.getTimeline(id)).at(-1)).toMatchObject({ kind: 'facts-recorded', actor: ON_CALL, caller: ON_CALL });
    } finally {
      await onCall.stop();
    }
  }, 60_000);
  it("refuses an FG decision on a page started as the FG's role once the deployment names another, without a restart (fgr28 item 4)", async () => {
    const ResourceArn = `arn:aws:dynamodb:${await moto.clients.dynamodb.config.region()}:${MOTO_ACCOUNT}:table/datalek-incidents`;
    const cookie = await signIn(served);
    // The page has read the FG's role (its own): the FG's forms are offered.
    const page = (await request(served, `/incidents/${id}`, { headers: { cookie } })).body;
    expect(page).toMatch(/<form [^>]*id="assess"/);
    const before = await store.getIncident(id);
    // The deployment names another FG role (break-glass's for a decision and back, or a changed fgRole).
    await moto.clients.dynamodb.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['datalek:fg-role'] }));
    await moto.clients.dynamodb.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'datalek:fg-role', Value: 'fg-sso' }] }));
    try {
      const refused = await request(served, `/incidents/${id}/assess`, {
        method: 'POST',
        body: form({ 'personal-data': 'yes', risk: 'high', reason: 'na de wissel van de FG-rol', ...formBase(page, 'assess'), _csrf: csrfOf(page) }),
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(refused.status).toBe(400);
      expect(refused.body).toContain('fg-sso');
      expect((await store.getIncident(id))?.assessment).toEqual(before?.assessment);
      // And the page says so from then on.
      expect((await request(served, `/incidents/${id}`, { headers: { cookie } })).body).toContain('id="fg-read-only"');
    } finally {
      await moto.clients.dynamodb.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['datalek:fg-role'] }));
      await moto.clients.dynamodb.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'datalek:fg-role', Value: 'datalek-fg' }] }));
    }
  }, 60_000);
  it("reads the FG's role again on the next request after a lookup that failed at start-up, rather than keep the page read-only (review27 finalA #4)", async () => {
    const ResourceArn = `arn:aws:dynamodb:${await moto.clients.dynamodb.config.region()}:${MOTO_ACCOUNT}:table/datalek-incidents`;
    // The table names no FG role when the page starts (a lookup that fails): its FG's forms are read-only, and the page says why.
    await moto.clients.dynamodb.send(new UntagResourceCommand({ ResourceArn, TagKeys: ['datalek:fg-role'] }));
    let fg: Served | undefined;
    try {
      fg = await startServe(['--target', 'aws', '--now', '2026-11-28T03:00:00Z'], {
        ...moto.env,
        ...(await sessionEnv(moto, FG_SESSION.role, FG_SESSION.session)),
      });
      const cookie = await signIn(fg);
      const before = (await request(fg, `/incidents/${id}`, { headers: { cookie } })).body;
      expect(before).toContain('id="fg-read-only"');
      expect(before).toContain('de registertabel noemt de rol van de FG niet');
      // Named again: the next request reads it, and the FG's own page offers the FG's forms.
      await moto.clients.dynamodb.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'datalek:fg-role', Value: 'datalek-fg' }] }));
      const after = (await request(fg, `/incidents/${id}`, { headers: { cookie } })).body;
      expect(after).not.toContain('id="fg-read-only"');
      expect(after).toMatch(/<form [^>]*id="assess"/);
    } finally {
      await moto.clients.dynamodb.send(new TagResourceCommand({ ResourceArn, Tags: [{ Key: 'datalek:fg-role', Value: 'datalek-fg' }] }));
      await fg?.stop();
    }
  }, 60_000);
});

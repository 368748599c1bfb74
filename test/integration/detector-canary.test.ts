/**
 * The daily GuardDuty detector check, as deployed: its bundle (infra/bundling.ts) run in a Node
 * process of its own against moto's GuardDuty, in two regions. It passes only when every region
 * has a detector that is ENABLED, publishes as often as expected and has the expected features on,
 * and otherwise fails (the errors alarm pages) naming each region and what is wrong there.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateDetectorCommand, DeleteDetectorCommand, GuardDutyClient, UpdateDetectorCommand } from '@aws-sdk/client-guardduty';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, bundleSizes } from '../../infra/bundling.js';
import { MOTO_AVAILABLE, type Moto, startMoto } from '../support/moto.js';

const REGIONS = ['eu-west-1', 'eu-north-1'];

describe.skipIf(!MOTO_AVAILABLE)('the GuardDuty detector check, from its bundle, on moto', () => {
  let moto: Moto;
  let dir: string;
  let script: string;
  const guardduty: Record<string, GuardDutyClient> = {};
  const detectors: Record<string, string> = {};

  beforeAll(async () => {
    moto = await startMoto();
    dir = mkdtempSync(join(tmpdir(), 'datalek-canary-'));
    const sizes = bundleSizes(bundleHandler('detector-canary', join(dir, 'canary')));
    // Lean: GuardDuty's client and the logger, none of the pipeline's stores or topics.
    expect(sizes.startBytes + sizes.lazyBytes).toBeLessThan(1024 * 1024);
    script = join(dir, 'run.mjs');
    writeFileSync(
      script,
      `const { handler } = await import(${JSON.stringify(join(dir, 'canary', 'index.mjs'))});
try { console.log(JSON.stringify({ ok: true, result: await handler({}) })); }
catch (err) { console.log(JSON.stringify({ ok: false, name: err.name, message: err.message })); }`,
    );
    for (const region of REGIONS) {
      guardduty[region] = new GuardDutyClient({ endpoint: moto.endpoint, region, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
      const out = await guardduty[region].send(
        new CreateDetectorCommand({
          Enable: true,
          FindingPublishingFrequency: 'FIFTEEN_MINUTES',
          Features: [
            { Name: 'S3_DATA_EVENTS', Status: 'ENABLED' },
            { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
          ],
        }),
      );
      detectors[region] = out.DetectorId as string;
    }
  }, 120_000);
  afterAll(async () => {
    await moto?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the bundled handler once, as Lambda would on the schedule. */
  function check(env: Record<string, string> = {}): { ok: boolean; name?: string; message?: string; result?: unknown } {
    const r = spawnSync(process.execPath, ['--enable-source-maps', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        ...moto.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        DATALEK_CANARY_REGIONS: REGIONS.join(','),
        DATALEK_CANARY_FEATURES: 'S3_DATA_EVENTS,EKS_AUDIT_LOGS',
        ...env,
      },
    });
    if (r.status !== 0) throw new Error(`the canary process failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string);
  }

  it('passes when every region has an enabled detector publishing every 15 minutes with the expected features', () => {
    const out = check();
    expect(out).toMatchObject({ ok: true });
    expect(out.result).toEqual({ regions: REGIONS.map((region) => ({ region, detectors: 1, problems: [] })) });
  });

  it("lists the administrator's members when the deployment lists member accounts, and pages when it cannot (moto has no ListMembers: the judgement is test/unit/guardduty-members.test.ts)", () => {
    const out = check({ DATALEK_CANARY_MEMBERS: '444455556666' });
    expect(out).toMatchObject({ ok: false, name: 'DatalekError' });
    for (const region of REGIONS) expect(out.message).toContain(`${region}: the members of detector ${detectors[region]} could not be read (`);
    expect(out.message).toContain('whether 444455556666 still send findings is unchecked');
    // A member account id that is none is refused by name, at start.
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...moto.env, DATALEK_CANARY_MEMBERS: '444455556666,4444-5555-6666' },
    });
    expect(r.stdout + r.stderr).toContain('DATALEK_CANARY_MEMBERS: expected 12-digit AWS account ids, got 4444-5555-6666');
  });

  it('fails naming the region when a detector is suspended, publishes less often, or has an expected feature off', async () => {
    await guardduty['eu-north-1'].send(new UpdateDetectorCommand({ DetectorId: detectors['eu-north-1'], Enable: false }));
    await guardduty['eu-west-1'].send(
      new UpdateDetectorCommand({
        DetectorId: detectors['eu-west-1'],
        FindingPublishingFrequency: 'SIX_HOURS',
        Features: [
          { Name: 'S3_DATA_EVENTS', Status: 'DISABLED' },
          { Name: 'EKS_AUDIT_LOGS', Status: 'ENABLED' },
        ],
      }),
    );
    const out = check();
    expect(out.ok).toBe(false);
    expect(out.name).toBe('DatalekError');
    expect(out.message).toContain(`eu-north-1: detector ${detectors['eu-north-1']} is DISABLED, not ENABLED`);
    expect(out.message).toContain(`eu-west-1: detector ${detectors['eu-west-1']} publishes updated findings every SIX_HOURS, not FIFTEEN_MINUTES`);
    expect(out.message).toContain('S3_DATA_EVENTS DISABLED, not ENABLED');
    expect(out.message).not.toContain('EKS_AUDIT_LOGS');
    // The deployment may expect another frequency, and fewer features.
    await guardduty['eu-north-1'].send(new UpdateDetectorCommand({ DetectorId: detectors['eu-north-1'], Enable: true }));
    await guardduty['eu-north-1'].send(new UpdateDetectorCommand({ DetectorId: detectors['eu-north-1'], FindingPublishingFrequency: 'SIX_HOURS' }));
    expect(check({ DATALEK_CANARY_PUBLISHING_FREQUENCY: 'SIX_HOURS', DATALEK_CANARY_FEATURES: 'EKS_AUDIT_LOGS' })).toMatchObject({ ok: true });
  });

  it('fails when a region has no detector at all, and refuses an unknown expected frequency by name', async () => {
    await guardduty['eu-north-1'].send(new DeleteDetectorCommand({ DetectorId: detectors['eu-north-1'] }));
    const out = check({ DATALEK_CANARY_PUBLISHING_FREQUENCY: 'SIX_HOURS', DATALEK_CANARY_FEATURES: '' });
    expect(out).toMatchObject({ ok: false, name: 'DatalekError' });
    expect(out.message).toBe('detector check: eu-north-1: no GuardDuty detector: no finding is raised there');
    const r = spawnSync(process.execPath, [script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, ...moto.env, DATALEK_CANARY_PUBLISHING_FREQUENCY: 'HOURLY' },
    });
    expect(r.stdout + r.stderr).toContain('DATALEK_CANARY_PUBLISHING_FREQUENCY: expected one of FIFTEEN_MINUTES, ONE_HOUR, SIX_HOURS, got HOURLY');
  });
});

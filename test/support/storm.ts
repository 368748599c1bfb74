/**
 * A finding storm on moto, behind the EC2-throttling proxy: a thousand instances compromised at
 * once (300 in one account and region, 700 across 49 other accounts), their findings delivered
 * within a minute with duplicates and updates among them, recorded by the record handler and
 * contained by the contain handler the way Lambda runs them: asynchronous invocations, as many at
 * once as the CDK app reserves for the contain function, retried twice on failure, then kept in a
 * dead-letter queue. Shared by the storm test and `npm run bench -- --storm`.
 *
 * The code under test is loaded from a folder (`root`): the repository itself, or for the bench's
 * baseline a checkout of an earlier commit, so the same storm runs through both.
 *
 * The incident store is the embedded one (SQLite), which keeps the store port's guarantees like
 * the DynamoDB store (one contract suite runs against both): moto's DynamoDB copies the whole
 * table on every transaction, which a thousand incidents turn into an hour. What the storm puts
 * under load is EC2 (throttled by the proxy), the containment concurrency, the lease and the
 * record's idempotency (Powertools, on moto's DynamoDB).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { showOwnInterfaceGroups } from './ec2-scenario.js';
import { findingEvent, instanceResource } from './events.js';
import { type Moto, startMoto } from './moto.js';
import { type Ec2Call, startThrottlingProxy, type ThrottlingProxy } from './throttling-proxy.js';

export interface StormOptions {
  /** The folder whose `handlers/` and `infra/` run: the repository, or a baseline checkout. */
  root: string;
  /** Token buckets refill this many times faster, and every time the pipeline waits is this many times shorter. */
  timeScale: number;
  /** Instances (one finding each) in the one big account and region. @default 300 */
  bigAccount?: number;
  /** Instances (one finding each) across the other accounts. @default 700 */
  otherFindings?: number;
  /** @default 49 */
  otherAccounts?: number;
  /** Every n-th instance has a second network interface. @default 10 */
  secondInterfaceEvery?: number;
  /** Deliveries repeated as they were (EventBridge delivers at least once). @default 50 */
  duplicates?: number;
  /** Findings updated (count 2) seconds after they open: "Incident Updated" beside "Incident Opened". @default 50 */
  updates?: number;
  /** Seconds (simulated) within which all findings arrive. @default 60 */
  windowSeconds?: number;
  /** @default 1 */
  seed?: number;
  log?: (line: string) => void;
}

/** One network interface at the end of the storm. */
export interface InterfaceOutcome {
  id: string;
  account: string;
  instanceId: string;
  incidentId: string | null;
  end: 'isolated' | 'own-groups' | 'all-traffic' | 'other';
  /** Seconds of EC2's time (the throttling proxy's) from the storm's start until its isolation swap was accepted. */
  isolatedAt: number | null;
  /** The incident records this interface's failure (a failed step) and on-call was paged about the failure. */
  failureRecordedAndPaged: boolean;
  /** The incident's action and this interface's step as recorded: `failed/isolate-eni failed RequestLimitExceeded`. */
  recorded: string;
}

export interface StormReport {
  label: string;
  findings: number;
  deliveries: number;
  interfaces: InterfaceOutcome[];
  /** Seconds of EC2's time until the last interface was isolated; null when none was. */
  lastIsolatedSeconds: number | null;
  /** Share of all interfaces isolated within 60 seconds of EC2's time from the storm's start. */
  isolatedWithin60s: number;
  /** `unanswered`: calls whose caller gave up before the answer reached it (sent again by the SDK: `callsMadeTwice`). */
  ec2: { calls: number; throttled: number; retries: number; unanswered: number };
  /** Mutating EC2 calls accepted twice for one incident (same action and parameters in a row on one resource). */
  duplicateCalls: { incidentId: string; action: string; resource: string }[];
  /** Findings whose record is missing, or whose incident counts it more than once. */
  recordProblems: string[];
  actions: Record<string, number>;
  /** Why actions failed, by step kind and error code, as the incidents record it. */
  failures: Record<string, number>;
  exposedPages: number;
  contain: { invocations: number; busy: number; retried: number; deadLetters: number; concurrency: number | null; errors: Record<string, number> };
  record: { invocations: number; retried: number; deadLetters: number; errors: Record<string, number> };
  realSeconds: number;
}

/** The pipeline pieces the storm drives, loaded from `root`. Loose types: the baseline's may differ. */
interface Pipeline {
  createRecordHandler: (deps: Record<string, unknown>) => (event: unknown, context: unknown) => Promise<{ incidentId: string | null; outcome: string }>;
  createContainHandler: (deps: Record<string, unknown>) => (event: unknown, context?: unknown) => Promise<{ busy?: boolean }>;
  ContainmentClientFactory: new (region: string, role: string) => unknown;
  AwsContainment: new (factory: unknown, now?: () => string, timing?: unknown) => unknown;
  SqliteIncidentStore: new (dir: string, options?: { bulk?: boolean }) => StoreLike;
  createAwsClients: (region: string) => { dynamodb: unknown };
  createLogger: () => unknown;
  parsePolicy: (value: unknown, source?: string) => unknown;
  containConcurrency: number | null;
}

interface StoreLike {
  getFinding(key: { accountId: string; region: string; findingId: string }): Promise<{ incidentId: string } | undefined>;
  getIncident(id: string): Promise<IncidentLike | undefined>;
  getTimeline(id: string): Promise<{ kind: string }[]>;
  listMessages(id: string): Promise<{ kind: string; channel: string }[]>;
  close(): Promise<void>;
}

interface IncidentLike {
  id: string;
  findings: number;
  actions: { status: string; steps?: { name: string; status: string; code?: string; detail?: string; exposed?: boolean }[] }[];
}

const REGION = 'eu-west-1';
const CONTAIN_TIMEOUT_MS = 5 * 60_000;
/**
 * Record runs at once. Lambda would run as many as arrive, against a DynamoDB that scales; moto
 * answers one request at a time, and a thousand writers at once would only measure its queue.
 */
const RECORD_CONCURRENCY = 20;
/** Lambda's asynchronous retries: after about one minute, then two. */
const RETRY_DELAYS_MS = [60_000, 120_000];

async function loadPipeline(root: string): Promise<Pipeline> {
  const load = (file: string) => import(pathToFileURL(join(root, file)).href);
  const [record, contain, clients, containment, sqlite, awsClients, runtime, policy, infraConfig] = await Promise.all([
    load('handlers/lambda/record.ts'),
    load('handlers/lambda/contain.ts'),
    load('handlers/adapters/aws/containment/clients.ts'),
    load('handlers/adapters/aws/containment/index.ts'),
    load('handlers/adapters/local/sqlite-store.ts'),
    load('handlers/adapters/aws/clients.ts'),
    load('handlers/lambda/runtime.ts'),
    load('handlers/core/policy.ts'),
    load('infra/config.ts'),
  ]);
  // "as the CDK sets it": the contain function's reserved concurrency, from the app's own config;
  // an app that reserves none lets as many run as arrive.
  const config = infraConfig.loadDeployConfig({ region: REGION, breakGlassRole: 'datalek-break-glass' }) as { containConcurrency?: number };
  return {
    createRecordHandler: record.createRecordHandler,
    createContainHandler: contain.createContainHandler,
    ContainmentClientFactory: clients.ContainmentClientFactory,
    AwsContainment: containment.AwsContainment,
    SqliteIncidentStore: sqlite.SqliteIncidentStore,
    createAwsClients: awsClients.createAwsClients,
    createLogger: runtime.createLogger,
    parsePolicy: policy.parsePolicy,
    containConcurrency: config.containConcurrency ?? null,
  };
}

/** A small deterministic random source, so a storm can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Instance {
  account: string;
  instanceId: string;
  vpcId: string;
  interfaces: string[];
  volumes: string[];
}

/** Builds the accounts on moto directly (not through the proxy): the storm starts from a quiet EC2. */
async function buildWorld(moto: Moto, o: Required<Omit<StormOptions, 'log' | 'root' | 'timeScale'>>): Promise<Instance[]> {
  const config = { endpoint: moto.endpoint, region: REGION };
  const sts = new STSClient({ ...config, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const accounts = Array.from({ length: o.otherAccounts + 1 }, (_, i) => `2000000000${String(i).padStart(2, '0')}`);
  const counts = accounts.map((_, i) =>
    i === 0 ? o.bigAccount : Math.floor(o.otherFindings / o.otherAccounts) + (i - 1 < o.otherFindings % o.otherAccounts ? 1 : 0),
  );
  const all: Instance[] = [];
  let n = 0;
  for (const [i, account] of accounts.entries()) {
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/datalek-containment`, RoleSessionName: 'storm-setup' }));
    const c = assumed.Credentials;
    const ec2 = new EC2Client({
      ...config,
      credentials: { accessKeyId: c?.AccessKeyId as string, secretAccessKey: c?.SecretAccessKey as string, sessionToken: c?.SessionToken },
    });
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.30.0.0/16' }))).Vpc?.VpcId as string;
    const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.30.0.0/20', AvailabilityZone: `${REGION}a` }))).Subnet
      ?.SubnetId as string;
    const app = (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'app', Description: 'app' }))).GroupId as string;
    const imageId = (await ec2.send(new DescribeImagesCommand({}))).Images?.[0]?.ImageId as string;
    const run = await ec2.send(
      new RunInstancesCommand({ ImageId: imageId, MinCount: counts[i], MaxCount: counts[i], SubnetId: subnetId, SecurityGroupIds: [app] }),
    );
    for (const inst of run.Instances ?? []) {
      n += 1;
      if (n % o.secondInterfaceEvery === 0) {
        const eni = await ec2.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetId, Groups: [app] }));
        await ec2.send(
          new AttachNetworkInterfaceCommand({ InstanceId: inst.InstanceId, NetworkInterfaceId: eni.NetworkInterface?.NetworkInterfaceId, DeviceIndex: 1 }),
        );
      }
    }
    await showOwnInterfaceGroups(
      ec2,
      (run.Instances ?? []).map((x) => x.InstanceId as string),
    );
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: (run.Instances ?? []).map((x) => x.InstanceId as string) }));
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    for (const inst of described.Reservations?.flatMap((r) => r.Instances ?? []) ?? []) {
      all.push({
        account,
        instanceId: inst.InstanceId as string,
        vpcId,
        interfaces: (enis.NetworkInterfaces ?? []).filter((e) => e.Attachment?.InstanceId === inst.InstanceId).map((e) => e.NetworkInterfaceId as string),
        volumes: (inst.BlockDeviceMappings ?? []).map((b) => b.Ebs?.VolumeId as string).filter(Boolean),
      });
    }
    ec2.destroy();
  }
  sts.destroy();
  return all;
}

export async function runStorm(label: string, options: StormOptions): Promise<StormReport> {
  const o = {
    bigAccount: 300,
    otherFindings: 700,
    otherAccounts: 49,
    secondInterfaceEvery: 10,
    duplicates: 50,
    updates: 50,
    windowSeconds: 60,
    seed: 1,
    ...options,
  };
  const log = o.log ?? (() => {});
  const scale = o.timeScale;
  const saved = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), 'datalek-storm-'));
  let moto: Moto | undefined;
  let proxy: ThrottlingProxy | undefined;
  let store: StoreLike | undefined;
  try {
    // The handlers' logs would drown everything; the SDK's Node 20 notice is not about the storm.
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
    const p = await loadPipeline(o.root);
    moto = await startMoto();
    Object.assign(process.env, moto.env);
    const { setupAwsResources } = await import('../../handlers/adapters/aws/setup.js');
    const resources = await setupAwsResources(moto.clients);
    log(`${label}: building ${o.bigAccount + o.otherFindings} instances in ${o.otherAccounts + 1} accounts on moto`);
    const instances = await buildWorld(moto, o);
    proxy = await startThrottlingProxy(moto.endpoint, { timeScale: scale });
    // Every AWS call of the pipeline goes through the proxy from here on.
    process.env.AWS_ENDPOINT_URL = proxy.endpoint;

    // Bulk: commits are synced at checkpoints, not each on its own. A commit's fsync blocks the one
    // thread every simulated Lambda, the proxy and the report share (a profile of the storm: a
    // quarter of the thread's time), where each real function would wait on its own DynamoDB call.
    store = new p.SqliteIncidentStore(dir, { bulk: true });
    const policy = p.parsePolicy({
      containment: { rules: [{ action: 'isolate-instance', findingTypes: ['Backdoor:EC2/*'], minSeverity: 7, mode: 'enforce' }] },
    });
    const now = () => new Date().toISOString();
    const contained: { type: string; incidentId: string }[] = [];
    const publisher = {
      publish: async (events: { type: string; incidentId: string }[]) => {
        for (const e of events) if (e.type === 'Incident Opened' || e.type === 'Incident Updated') contained.push(e);
      },
    };
    const base = { store, notifier: { deliver: async () => {} }, publisher, policy, logger: p.createLogger(), now };
    const awsClients = p.createAwsClients(REGION);
    const record = p.createRecordHandler({
      ...base,
      canEnforce: true,
      persistenceStore: new DynamoDBPersistenceLayer({ tableName: resources.idempotencyTable, awsSdkV3Client: awsClients.dynamodb as never }),
    });
    // The swap's waits shrink with the storm's time scale, like the function's timeout.
    const timing = {
      firstSwapMs: 8_000 / scale,
      secondSwapMs: 25_000 / scale,
      restoreMs: 25_000 / scale,
      finalReserveMs: 5_000 / scale,
      backoff: { baseMs: 200 / scale, capMs: 5_000 / scale },
      withoutDeadlineMs: CONTAIN_TIMEOUT_MS / scale,
    };
    /** A warm Lambda container of the contain function: its own clients, built once. */
    const containers: ((event: unknown, context?: unknown) => Promise<{ busy?: boolean }>)[] = [];
    const container = () =>
      containers.pop() ??
      p.createContainHandler({ ...base, containment: new p.AwsContainment(new p.ContainmentClientFactory(REGION, 'datalek-containment'), undefined, timing) });

    // The deliveries: each finding once within the window, some twice, some updated soon after.
    const rand = random(o.seed);
    const window = (o.windowSeconds * 1000) / scale;
    type Delivery = { at: number; event: ReturnType<typeof findingEvent> };
    const deliveries: Delivery[] = [];
    const byFinding = new Map<string, Instance>();
    for (const [i, inst] of instances.entries()) {
      const id = `storm-${String(i).padStart(4, '0')}`;
      byFinding.set(id, inst);
      deliveries.push({ at: rand() * window, event: findingEvent({ id, accountId: inst.account, resource: instanceResource(inst.instanceId) }) });
    }
    const originals = [...deliveries];
    for (let i = 0; i < o.duplicates; i++) {
      const d = originals[Math.floor(rand() * originals.length)];
      deliveries.push({ at: d.at + (rand() * 5_000) / scale, event: { ...d.event, id: `evt-${randomUUID()}` } });
    }
    for (let i = 0; i < o.updates; i++) {
      const d = originals[Math.floor(rand() * originals.length)];
      const detail = d.event.detail;
      deliveries.push({
        at: d.at + (rand() * 3_000) / scale,
        event: findingEvent({
          id: detail.id,
          accountId: detail.accountId,
          resource: detail.resource as Record<string, unknown>,
          count: 2,
          updatedAt: '2026-11-27T21:01:00.000Z',
        }),
      });
    }
    deliveries.sort((a, b) => a.at - b.at);
    const planned = deliveries.length;

    // The simulated Lambda service.
    const counts = { containInvocations: 0, busy: 0, containRetried: 0, containDead: 0, recordInvocations: 0, recordRetried: 0, recordDead: 0 };
    const errors = { record: {} as Record<string, number>, contain: {} as Record<string, number> };
    const count = (into: Record<string, number>, err: unknown) => {
      const name = (err as Error)?.name ?? 'Error';
      into[name] = (into[name] ?? 0) + 1;
    };
    type Pending = { event: unknown; attempt: number; notBefore: number };
    /** Events waiting for a free contain run, in arrival order; retries wait in `delayed` until due. */
    const containQueue: Pending[] = [];
    const delayed: Pending[] = [];
    let running = 0;
    let recording = 0;
    const limit = p.containConcurrency ?? Number.POSITIVE_INFINITY;
    const start = performance.now();
    const ec2Start = proxy.now();
    const elapsed = () => performance.now() - start;
    const later = (attempt: number) => elapsed() + RETRY_DELAYS_MS[attempt] / scale;
    const context = (ms: number) => {
      const deadline = performance.now() + ms;
      return { awsRequestId: randomUUID(), functionName: 'datalek', getRemainingTimeInMillis: () => Math.max(0, deadline - performance.now()) };
    };
    const invokeRecord = async (event: unknown, attempt: number): Promise<void> => {
      recording += 1;
      counts.recordInvocations += 1;
      try {
        await record(event, context(30_000 / scale));
      } catch (err) {
        count(errors.record, err);
        // A delivery that found the same finding in progress, or another failure: Lambda retries it.
        if (attempt < RETRY_DELAYS_MS.length) {
          counts.recordRetried += 1;
          const at = later(attempt);
          deliveries.push({ at, event: event as Delivery['event'] });
          deliveries.sort((a, b) => a.at - b.at);
          retryAttempts.set(event, attempt + 1);
        } else counts.recordDead += 1;
      } finally {
        recording -= 1;
      }
      for (const e of contained.splice(0)) {
        containQueue.push({ event: { id: randomUUID(), 'detail-type': e.type, detail: { incidentId: e.incidentId } }, attempt: 0, notBefore: 0 });
      }
    };
    const retryAttempts = new Map<unknown, number>();
    const invokeContain = async (item: Pending): Promise<void> => {
      running += 1;
      counts.containInvocations += 1;
      const handler = container();
      try {
        const out = await handler(item.event, context(CONTAIN_TIMEOUT_MS / scale));
        if (out?.busy) counts.busy += 1;
      } catch (err) {
        count(errors.contain, err);
        if (item.attempt < RETRY_DELAYS_MS.length) {
          counts.containRetried += 1;
          delayed.push({ event: item.event, attempt: item.attempt + 1, notBefore: later(item.attempt) });
        } else counts.containDead += 1;
      } finally {
        containers.push(handler);
        running -= 1;
      }
    };

    log(
      `${label}: ${deliveries.length} deliveries of ${instances.length} findings within ${o.windowSeconds} s (simulated; time scale ${scale}); contain concurrency ${p.containConcurrency ?? 'unreserved'}`,
    );
    const inflight = new Set<Promise<void>>();
    const track = (promise: Promise<void>) => {
      inflight.add(promise);
      void promise.finally(() => inflight.delete(promise));
    };
    let lastProgress = 0;
    for (;;) {
      const t = elapsed();
      while (deliveries.length && deliveries[0].at <= t && recording < RECORD_CONCURRENCY) {
        const d = deliveries.shift() as Delivery;
        track(invokeRecord(d.event, retryAttempts.get(d.event) ?? 0));
      }
      for (let i = delayed.length - 1; i >= 0; i--) if (delayed[i].notBefore <= t) containQueue.push(...delayed.splice(i, 1));
      while (running < limit && containQueue.length) track(invokeContain(containQueue.shift() as Pending));
      if (!deliveries.length && !containQueue.length && !delayed.length && inflight.size === 0 && recording === 0 && running === 0) break;
      if (t - lastProgress > 10_000) {
        lastProgress = t;
        log(
          `${label}: ${Math.round(t / 1000)} s, ${Math.round((proxy.now() - ec2Start) / 1000)} s of EC2's time, ${counts.containInvocations} contain runs, ${containQueue.length} waiting, ${delayed.length} to be retried, ${running} running, ${proxy.calls.filter((c) => c.throttled).length} of ${proxy.calls.length} EC2 calls throttled`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    const realSeconds = elapsed() / 1000;
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    return await report(label, {
      moto,
      proxy,
      store,
      instances,
      byFinding,
      deliveries: planned,
      counts,
      errors,
      ec2Start,
      realSeconds,
      limit: p.containConcurrency,
    });
  } finally {
    await store?.close().catch(() => undefined);
    await proxy?.stop();
    await moto?.stop();
    rmSync(dir, { recursive: true, force: true });
    process.env = saved;
  }
}

async function report(
  label: string,
  s: {
    moto: Moto;
    proxy: ThrottlingProxy;
    store: StoreLike;
    instances: Instance[];
    byFinding: Map<string, Instance>;
    deliveries: number;
    counts: Record<string, number>;
    errors: { record: Record<string, number>; contain: Record<string, number> };
    /** EC2's time (the proxy's) when the storm began. */
    ec2Start: number;
    realSeconds: number;
    limit: number | null;
  },
): Promise<StormReport> {
  const { proxy, store, instances } = s;
  const calls = proxy.calls;
  const incidentOf = new Map<string, string>();
  const recordProblems: string[] = [];
  for (const [findingId, inst] of s.byFinding) {
    const finding = await store.getFinding({ accountId: inst.account, region: REGION, findingId });
    if (!finding) {
      recordProblems.push(`${findingId}: not recorded`);
      continue;
    }
    incidentOf.set(inst.instanceId, finding.incidentId);
    const incident = await store.getIncident(finding.incidentId);
    const opened = (await store.getTimeline(finding.incidentId)).filter((e) => e.kind === 'incident-opened').length;
    if (incident?.findings !== 1 || opened !== 1) recordProblems.push(`${findingId}: ${incident?.findings ?? 0} findings, opened ${opened} times`);
  }

  // Where each interface ended, read from moto itself.
  const ec2Of = new Map<string, { isolation: Set<string>; allTraffic: Set<string> }>();
  const outcomes: InterfaceOutcome[] = [];
  const sts = new STSClient({ endpoint: s.moto.endpoint, region: REGION, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
  const byAccount = new Map<string, Instance[]>();
  for (const inst of instances) byAccount.set(inst.account, [...(byAccount.get(inst.account) ?? []), inst]);
  const groupsNow = new Map<string, string[]>();
  for (const [account, list] of byAccount) {
    const creds = (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/datalek-containment`, RoleSessionName: 'storm-report' })))
      .Credentials;
    const ec2 = new EC2Client({
      endpoint: s.moto.endpoint,
      region: REGION,
      credentials: { accessKeyId: creds?.AccessKeyId as string, secretAccessKey: creds?.SecretAccessKey as string, sessionToken: creds?.SessionToken },
    });
    const groups = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [list[0].vpcId] }] }))).SecurityGroups ?? [];
    // Datalek's groups by the role it tags them with, not by name: a run that lost the race to make
    // the VPC's group and did not see the winner's record in time makes one of its own
    // (`datalek-isolation-<incident>`), which isolates all the same.
    const role = (g: (typeof groups)[number]) => g.Tags?.find((t) => t.Key === 'datalek:role')?.Value;
    ec2Of.set(account, {
      isolation: new Set(groups.filter((g) => role(g) === 'datalek-isolation').map((g) => g.GroupId as string)),
      allTraffic: new Set(groups.filter((g) => role(g) === 'datalek-all-traffic').map((g) => g.GroupId as string)),
    });
    const enis = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [list[0].vpcId] }] }));
    for (const e of enis.NetworkInterfaces ?? [])
      groupsNow.set(
        e.NetworkInterfaceId as string,
        (e.Groups ?? []).map((g) => g.GroupId as string),
      );
    ec2.destroy();
  }
  sts.destroy();

  const isolationAccepted = new Map<string, number>();
  for (const c of calls) {
    if (c.throttled || c.action !== 'ModifyNetworkInterfaceAttribute') continue;
    const groups = ec2Of.get(c.account);
    const eni = c.params.NetworkInterfaceId;
    const to = Object.entries(c.params)
      .filter(([k]) => k.startsWith('SecurityGroupId.'))
      .map(([, v]) => v);
    if (groups && to.length === 1 && groups.isolation.has(to[0])) isolationAccepted.set(eni, c.at);
  }
  for (const inst of instances) {
    const incidentId = incidentOf.get(inst.instanceId) ?? null;
    const incident = incidentId ? await store.getIncident(incidentId) : undefined;
    const messages = incidentId ? await store.listMessages(incidentId) : [];
    for (const eni of inst.interfaces) {
      const groups = groupsNow.get(eni) ?? [];
      const g = ec2Of.get(inst.account);
      const end: InterfaceOutcome['end'] = groups.some((x) => g?.allTraffic.has(x))
        ? 'all-traffic'
        : groups.length === 1 && g?.isolation.has(groups[0])
          ? 'isolated'
          : groups.some((x) => g?.isolation.has(x))
            ? 'other'
            : 'own-groups';
      const step = incident?.actions[0]?.steps?.find((st) => st.name === `isolate-eni:${eni}`);
      const failed = incident?.actions[0]?.status === 'failed' && (step === undefined || step.status === 'failed');
      const paged = messages.some((m) => m.channel === 'on-call' && m.kind === 'containment-failed');
      const accepted = isolationAccepted.get(eni);
      outcomes.push({
        id: eni,
        account: inst.account,
        instanceId: inst.instanceId,
        incidentId,
        end,
        isolatedAt: end === 'isolated' && accepted !== undefined ? (accepted - s.ec2Start) / 1000 : null,
        failureRecordedAndPaged: failed && paged,
        recorded: `${incident?.actions[0]?.status ?? 'no incident'}/${step ? `isolate-eni ${step.status}${step.code ? ` ${step.code}` : ''}` : 'no isolate-eni step'}${paged ? ', paged' : ''}`,
      });
    }
  }

  const incidentOfResource = new Map<string, string>();
  for (const inst of instances) {
    const id = incidentOf.get(inst.instanceId);
    if (!id) continue;
    for (const r of [inst.instanceId, ...inst.interfaces, ...inst.volumes]) incidentOfResource.set(r, id);
  }
  const duplicateCalls = callsMadeTwice(calls, incidentOfResource);

  const actions: Record<string, number> = {};
  const failures: Record<string, number> = {};
  let exposedPages = 0;
  for (const id of new Set(incidentOf.values())) {
    const incident = await store.getIncident(id);
    for (const a of incident?.actions ?? []) {
      actions[a.status] = (actions[a.status] ?? 0) + 1;
      for (const st of a.steps ?? []) {
        if (st.status !== 'failed') continue;
        // A bare `Error` says little: the start of its message says more (a reset connection, …).
        const what = st.code && st.code !== 'Error' ? st.code : `Error "${(st.detail ?? '').replace(/^.*?: /, '').slice(0, 40)}"`;
        const key = `${st.name.split(':')[0]} ${what}${st.exposed ? ' (exposed)' : ''}`;
        failures[key] = (failures[key] ?? 0) + 1;
      }
    }
    exposedPages += (await store.listMessages(id)).filter((m) => m.kind === 'interface-exposed').length;
  }
  const isolatedTimes = outcomes.map((x) => x.isolatedAt).filter((x): x is number => x !== null);
  const ec2Calls = calls.length;
  return {
    label,
    findings: s.byFinding.size,
    deliveries: s.deliveries,
    interfaces: outcomes,
    lastIsolatedSeconds: isolatedTimes.length ? Math.max(...isolatedTimes) : null,
    isolatedWithin60s: outcomes.length ? isolatedTimes.filter((t) => t <= 60).length / outcomes.length : 0,
    ec2: {
      calls: ec2Calls,
      throttled: calls.filter((c) => c.throttled).length,
      retries: calls.filter((c: Ec2Call) => c.retry).length,
      unanswered: calls.filter((c) => c.unanswered).length,
    },
    duplicateCalls,
    recordProblems,
    actions,
    failures,
    exposedPages,
    contain: {
      invocations: s.counts.containInvocations,
      busy: s.counts.busy,
      retried: s.counts.containRetried,
      deadLetters: s.counts.containDead,
      concurrency: s.limit,
      errors: s.errors.contain,
    },
    record: { invocations: s.counts.recordInvocations, retried: s.counts.recordRetried, deadLetters: s.counts.recordDead, errors: s.errors.record },
    realSeconds: Math.round(s.realSeconds),
  };
}

/**
 * Mutating calls accepted twice in a row on one resource of one incident (`incidentOfResource`):
 * work the pipeline did twice. A call sent again after its caller gave up on an answer that had not
 * come (`Ec2Call.unanswered`: the SDK's request timeout, while moto, answering one request at a
 * time, was slow) is the SDK's retry, not the pipeline's: not counted.
 */
export function callsMadeTwice(calls: readonly Ec2Call[], incidentOfResource: ReadonlyMap<string, string>): StormReport['duplicateCalls'] {
  const lastOn = new Map<string, { signature: string; unanswered: boolean }>();
  /** Resources with a snapshot whose answer reached its caller. */
  const snapshotted = new Set<string>();
  const twiceMade: StormReport['duplicateCalls'] = [];
  for (const c of calls) {
    if (c.throttled || /^(Describe|Get|List)/.test(c.action)) continue;
    const resource = c.params.NetworkInterfaceId ?? c.params.InstanceId ?? c.params.VolumeId ?? c.params['ResourceId.1'];
    const incidentId = resource ? incidentOfResource.get(resource) : undefined;
    if (!resource || !incidentId) continue;
    const signature = `${c.action} ${JSON.stringify(Object.entries(c.params).sort())}`;
    const key = `${resource}/${c.action}`;
    const before = lastOn.get(key);
    const twice = c.action === 'CreateSnapshot' ? snapshotted.has(resource) : before?.signature === signature && !before.unanswered;
    if (twice) twiceMade.push({ incidentId, action: c.action, resource });
    if (c.action === 'CreateSnapshot' && !c.unanswered) snapshotted.add(resource);
    lastOn.set(key, { signature, unanswered: c.unanswered === true });
  }
  return twiceMade;
}

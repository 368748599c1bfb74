/**
 * The AWS figures of `npm run bench`: API calls per finding on moto, by service, for a new
 * finding, an update and a duplicate; and each bundled handler's size and module load time beside
 * a bare `node -e 0` started the same way.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ContainmentClientFactory } from '../handlers/adapters/aws/containment/clients.js';
import { AwsContainment } from '../handlers/adapters/aws/containment/index.js';
import { DynamoDbIncidentStore } from '../handlers/adapters/aws/dynamodb-store.js';
import { setupAwsResources } from '../handlers/adapters/aws/setup.js';
import { runContainment } from '../handlers/core/contain.js';
import { DEFAULT_POLICY } from '../handlers/core/policy.js';
import { recordEvent } from '../handlers/core/record-finding.js';
import { createNotifyHandler } from '../handlers/lambda/notify.js';
import { createRecordHandler } from '../handlers/lambda/record.js';
import { bundleHandler, bundleSizes, HANDLER_ENTRY_FILE, HANDLERS } from '../infra/bundling.js';
import { lambdaContext, wirePipeline } from '../test/support/aws-pipeline.js';
import { callsBeforeIsolated, recordContainmentCalls, roundTrips } from '../test/support/containment-calls.js';
import { buildScenario, buildVpc } from '../test/support/ec2-scenario.js';
import { findingEvent, instanceResource } from '../test/support/events.js';
import { MOTO_AVAILABLE, startMoto } from '../test/support/moto.js';

type Counts = Record<string, number>;

interface Countable {
  middlewareStack: { add: (mw: unknown, opts: { step: 'initialize'; name: string }) => void };
}

function countCalls(client: Countable, service: string, counts: Counts) {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      counts[service] = (counts[service] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: `datalekCallCounter-${service}` },
  );
}

/** Calls per service for one delivery through record and (when it announces something) notify. */
export async function benchAwsCalls(): Promise<{ new: Counts; update: Counts; duplicate: Counts } | null> {
  if (!MOTO_AVAILABLE) return null;
  const moto = await startMoto();
  try {
    const pipeline = await wirePipeline(moto);
    const counts: Counts = {};
    countCalls(moto.clients.dynamodb as unknown as Countable, 'dynamodb', counts);
    countCalls(moto.clients.sns as unknown as Countable, 'sns', counts);
    countCalls(moto.clients.eventbridge as unknown as Countable, 'eventbridge', counts);
    const record = createRecordHandler({ ...pipeline.deps, persistenceStore: pipeline.persistence });
    const notify = createNotifyHandler(pipeline.deps);
    const deliver = async (event: ReturnType<typeof findingEvent>): Promise<Counts> => {
      for (const k of Object.keys(counts)) delete counts[k];
      const result = await record(event, lambdaContext());
      // The notify handler runs when the record handler announced something, as its rule routes it.
      if (result.incidentId && counts.eventbridge) await notify({ 'detail-type': 'Incident Updated', detail: { incidentId: result.incidentId } });
      return { ...counts };
    };
    const created = await deliver(findingEvent({ id: 'bench-1' }));
    const updated = await deliver(findingEvent({ id: 'bench-1', count: 2, updatedAt: '2026-11-28T00:00:00Z' }));
    const duplicate = await deliver(findingEvent({ id: 'bench-1', count: 2, updatedAt: '2026-11-28T00:00:00Z' }));
    return { new: created, update: updated, duplicate };
  } finally {
    await moto.stop();
  }
}

/** What containing one instance cost, in EC2, Auto Scaling and ELB calls. */
export interface ContainmentFigures {
  calls: number;
  /** Calls made before the last interface's isolation swap was answered. */
  callsBeforeIsolated: number;
  /** Calls that had to wait for one another before then: the longest chain of calls each made after the one before was answered. */
  roundTripsBeforeIsolated: number;
  /** Milliseconds from the start until every interface was isolated, and until the containment ended. */
  msToIsolated: number;
  ms: number;
}

/**
 * The containment of the scenario (an instance with two network interfaces, in an Auto
 * Scaling group and a target group) on moto, twice in one VPC: the first creates the VPC's
 * isolation groups (`firstInVpc`), the second finds them (the figures at the top level, what a
 * containment usually costs). moto answers one request at a time, so the milliseconds say less
 * than on AWS, where calls made together are answered together.
 */
export async function benchContainment(): Promise<(ContainmentFigures & { firstInVpc: ContainmentFigures }) | null> {
  if (!MOTO_AVAILABLE) return null;
  const moto = await startMoto();
  const saved = { ...process.env };
  Object.assign(process.env, moto.env);
  try {
    await setupAwsResources(moto.clients);
    const store = new DynamoDbIncidentStore(moto.clients.dynamodb, 'datalek-incidents');
    const factory = new ContainmentClientFactory('eu-west-1', 'datalek-containment');
    const clients = await factory.clientsFor('123456789012', 'eu-west-1', 'bench');
    const vpc = await buildVpc(clients);
    const { calls } = recordContainmentCalls(clients);
    const contain = async (n: number): Promise<ContainmentFigures> => {
      const scenario = await buildScenario(clients, vpc);
      const recorded = await recordEvent(
        { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString(), canEnforce: true, forceEnforce: true },
        findingEvent({ id: `bench-contain-${n}`, accountId: '123456789012', resource: instanceResource(scenario.instanceId) }),
      );
      calls.length = 0;
      const t0 = performance.now();
      const result = await runContainment(
        // As `replay --target aws --enforce` runs it: the contain code checks the enforcement itself.
        { store, policy: DEFAULT_POLICY, now: () => new Date().toISOString(), containment: new AwsContainment(factory), forceEnforce: true },
        recorded.incidentId as string,
      );
      const ms = performance.now() - t0;
      if (result.actions[0]?.status !== 'done') throw new Error(`bench: containment ended ${result.actions[0]?.status}: ${result.actions[0]?.reason}`);
      const before = callsBeforeIsolated(calls, scenario.enis.length);
      return {
        calls: calls.length,
        callsBeforeIsolated: before.calls.length,
        roundTripsBeforeIsolated: roundTrips(before.calls),
        msToIsolated: round(before.isolatedAt - t0),
        ms: round(ms),
      };
    };
    const firstInVpc = await contain(1);
    return { ...(await contain(2)), firstInVpc };
  } finally {
    process.env = saved;
    await moto.stop();
  }
}

const HANDLER_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  DATALEK_TABLE: 'datalek-incidents',
  DATALEK_IDEMPOTENCY_TABLE: 'datalek-idempotency',
  DATALEK_FG_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-fg',
  DATALEK_ON_CALL_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-on-call',
  DATALEK_BUS_NAME: 'datalek',
  DATALEK_ACK_PRINCIPALS: 'arn:aws:sts::111122223333:assumed-role/datalek-on-call/*',
  DATALEK_DIGEST_BUCKET: 'datalek-digests-111122223333-eu-west-1',
  DATALEK_ANCHOR_KMS_KEY: 'arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-0000-0000-000000000000',
  DATALEK_LINK_KEY_SECRET: 'datalek/link-key',
  DATALEK_LINK_URL: 'https://abcdefghij.lambda-url.eu-west-1.on.aws/',
  // The public link function's one variable: where it forwards to.
  DATALEK_LINK_APPLY_FUNCTION: 'arn:aws:lambda:eu-west-1:111122223333:function:datalek-link-apply',
  // The member-pages function's: its record and the alarm topic it pages on (deploy20).
  DATALEK_MEMBER_PAGES_TABLE: 'datalek-member-pages',
  DATALEK_ALARM_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:datalek-on-call-alarms',
};

/**
 * The median wall times of `node A` and `node B`, run in turns `runs` times each (after one
 * unmeasured run of each, which warms the file cache): a busy machine slows both alike.
 */
export function pairedMedianMs(a: string[], b: string[], env: NodeJS.ProcessEnv = {}, runs = 9): [number, number] {
  return pairedMedians(a, b, env, runs).wallMs;
}

/**
 * The last line a script given to `node -e` may end with: the CPU time (user and system, all of the
 * process's threads, in milliseconds) the process has used so far, as it reports it itself.
 */
export const PRINT_CPU_MS = "{const u = process.cpuUsage(); process.stdout.write('\\ncpu ' + (u.user + u.system) / 1000 + '\\n');}";

/**
 * pairedMedianMs, and the median CPU times of the two where both print PRINT_CPU_MS's line. CPU
 * time is what other work on a shared machine moves least: a process waiting for a core is not
 * charged for the wait.
 */
export function pairedMedians(a: string[], b: string[], env: NodeJS.ProcessEnv = {}, runs = 9): { wallMs: [number, number]; cpuMs: [number, number] | null } {
  const times: [number[], number[]] = [[], []];
  const cpu: [number[], number[]] = [[], []];
  for (let i = 0; i <= runs; i++) {
    for (const [k, args] of [a, b].entries()) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${r.stderr}`);
      if (i === 0) continue;
      times[k].push(performance.now() - t0);
      const reported = /\ncpu ([\d.]+)\n$/.exec(r.stdout);
      if (reported) cpu[k].push(Number(reported[1]));
    }
  }
  const median = (list: number[]) => list.sort((x, y) => x - y)[Math.floor(list.length / 2)];
  return {
    wallMs: [median(times[0]), median(times[1])],
    cpuMs: cpu[0].length === runs && cpu[1].length === runs ? [median(cpu[0]), median(cpu[1])] : null,
  };
}

export interface HandlerFigures {
  name: string;
  /** What the function loads at cold start: its entry file and the chunks that file imports. */
  bytes: number;
  /** Chunks loaded only when first needed (the contain function's service clients). */
  lazyBytes: number;
  largestFileBytes: number;
  /** Median time of a Node process that loads the module, as Lambda does (ES module, --enable-source-maps). */
  loadMs: number;
  /** Median time of `node -e 0`, measured beside it. */
  bareMs: number;
  ratio: number;
  /** The same two processes' median CPU time (user and system, all threads): a shared machine moves it less. */
  loadCpuMs: number;
  bareCpuMs: number;
  cpuRatio: number;
}

/**
 * Each handler bundled exactly as the CDK app deploys it (infra/bundling.ts), its size, and the
 * time a fresh Node process takes to load it beside a bare `node -e 0` (see pairedMedianMs).
 */
export async function benchHandlers(): Promise<HandlerFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'datalek-bundles-'));
  try {
    const out: HandlerFigures[] = [];
    for (const name of HANDLERS) {
      const sizes = bundleSizes(bundleHandler(name, join(dir, name)));
      const url = pathToFileURL(join(dir, name, HANDLER_ENTRY_FILE)).href;
      // The module must load and export its handler, as Lambda requires.
      const load = [
        '--enable-source-maps',
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== 'function') throw new Error('no handler'); ${PRINT_CPU_MS}`,
      ];
      // Fifteen pairs, not nine: on a shared machine a few slow runs in nine moved this row's ratio
      // by about 0.5 between bench runs (30 November: 1.7–3.4× for the same bundles).
      const { wallMs, cpuMs } = pairedMedians(['-e', PRINT_CPU_MS], load, HANDLER_ENV, 15);
      const [bareMs, loadMs] = wallMs;
      const [bareCpuMs, loadCpuMs] = cpuMs ?? [Number.NaN, Number.NaN];
      out.push({
        name,
        bytes: sizes.startBytes,
        lazyBytes: sizes.lazyBytes,
        largestFileBytes: sizes.largestFileBytes,
        loadMs: round(loadMs),
        bareMs: round(bareMs),
        ratio: round(loadMs / bareMs),
        loadCpuMs: round(loadCpuMs),
        bareCpuMs: round(bareCpuMs),
        cpuRatio: round(loadCpuMs / bareCpuMs),
      });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Number(n.toFixed(2));
}

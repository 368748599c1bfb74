/**
 * Where the CLI's incidents live: the embedded SQLite store (`--target local`, the default) or
 * AWS (`--target aws`: DynamoDB and SNS, or any AWS-compatible endpoint in `AWS_ENDPOINT_URL`).
 * The commands run the same use cases on either.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DEFAULT_RESOURCE_NAMES } from '../adapters/aws/table-schema.js';
import { ConsoleNotifier } from '../adapters/local/console-notifier.js';
import { defaultLinkKeyPath, fileLinkKey } from '../adapters/local/link-key-file.js';
import { PlanOnlyContainment } from '../adapters/local/plan-only-containment.js';
import { exposedStoreFolders } from '../adapters/local/private-files.js';
import { type DrillMark, SqliteIncidentStore, STORE_FILE } from '../adapters/local/sqlite-store.js';
import { createPager, pagerSecretsFromEnv } from '../adapters/pager/index.js';
import { drillLinkKey } from '../core/ack-link.js';
import { drillNotifier } from '../core/drill.js';
import { type LinkSigning, withAckLinks } from '../core/link-delivery.js';
import { type Pager, pagerRouting, recordPagerFailure } from '../core/pager.js';
import type { Policy } from '../core/policy.js';
import { oneLine } from '../core/text.js';
import type { AuditSource } from '../ports/audit-source.js';
import type { Containment } from '../ports/containment.js';
import type { IncidentStore } from '../ports/incident-store.js';
import type { Notifier } from '../ports/notifier.js';
import { UsageError } from './errors.js';
import type { FgRole } from './fg-role.js';
import type { RecordedLog } from './lost-race.js';

export type Target = 'local' | 'aws';
export type { DrillMark };

/**
 * How a command uses the store: reads it (opened read-only), writes it, creates it when missing
 * (`replay`, in bulk), or creates it when missing and writes it synced as `write` does (`open
 * --new-store`, a person's record).
 */
export type StoreAccess = 'read' | 'write' | 'create' | 'create-synced';

export interface Backend {
  target: Target;
  store: IncidentStore;
  /** The same store, read as stored, for verify and anchor. */
  audit: AuditSource;
  /**
   * The ARN of the AWS identity a `--target aws` run writes as (sts:GetCallerIdentity, asked once
   * when the backend opens for writing); every timeline entry the run records names it. Null on the
   * embedded store, and when the backend only reads.
   */
  caller: string | null;
  /**
   * The FG's role as the deployment names it (the incidents table's tag and account, fg-role.ts),
   * read when first asked; null on the embedded store, which knows no roles.
   */
  fgRole: (() => Promise<FgRole>) | null;
  /** Set when the embedded store is a drill copy: any `--now` goes and every message is marked. */
  drill: DrillMark | null;
  /** Delivers a message, and tells the person at the terminal unless `quiet`. */
  notifier: (print: (line: string) => void) => Notifier;
  /** Plan-only locally; on AWS it acts in the affected account (assuming the member role there). */
  containment: Containment;
  /** The acknowledgement link key (outside the store), or null where this machine has none. */
  linkKey: (() => Promise<Buffer>) | null;
  /** The pager's webhook secret, from the secret store. */
  webhookSecret: () => Promise<string | undefined>;
  close: () => Promise<void>;
}

export interface BackendOptions {
  target: Target;
  storeDir: string;
  env: NodeJS.ProcessEnv;
  access: StoreAccess;
  policy: Policy;
  now: () => string;
  /** Where a problem that does not stop the command is told (stderr): a page sent without its link. */
  warn?: (line: string) => void;
  /** Told of every write the store takes, from every part of the backend (lost-race.ts). */
  recorded?: RecordedLog;
}

/** Where `datalek serve` listens by default: the base of the links in pages sent from this machine. */
export const DEFAULT_LOCAL_LINK_URL = 'http://127.0.0.1:8733';

/**
 * Opens the backend. The embedded store must exist unless `access` creates it: a missing store is
 * a `UsageError` naming the path, never an empty answer.
 */
export async function openBackend(opts: BackendOptions): Promise<Backend> {
  if (opts.target === 'local') {
    if (opts.access !== 'create' && opts.access !== 'create-synced' && !existsSync(join(opts.storeDir, STORE_FILE))) {
      throw new UsageError(
        `no store at ${opts.storeDir} (no ${STORE_FILE} there): give --store DIR or set DATALEK_STORE; replay creates a store, as does open --new-store`,
      );
    }
    // Replay (the one command that creates a store) records in bulk: what a power cut takes from a
    // running replay, the same files record again. What people record is synced commit by commit.
    const embedded = new SqliteIncidentStore(opts.storeDir, { readOnly: opts.access === 'read', bulk: opts.access === 'create' });
    for (const line of exposedStoreFolders(opts.storeDir)) opts.warn?.(line);
    const store = opts.recorded ? opts.recorded.watch(embedded) : embedded;
    const drill = embedded.drill;
    const storeKey = fileLinkKey(linkKeyPath(opts), { create: opts.access !== 'read' });
    // A drill's links never work on the real store, nor the real store's on a drill.
    const linkKey = drill ? async () => drillLinkKey(await storeKey(), drill) : storeKey;
    const secrets = pagerSecretsFromEnv(opts.env);
    // A drill never pages anyone through the pager: its pages stay on the terminal.
    const pager = drill ? null : createPager(opts.policy, secrets);
    const onKeyProblem = keyProblem(opts);
    return {
      target: 'local',
      caller: null,
      fgRole: null,
      store,
      audit: embedded,
      drill,
      notifier: (print) => {
        const routed = routing(new ConsoleNotifier(print), pager, store, opts);
        return withAckLinks(
          drill ? drillNotifier(routed) : routed,
          { baseUrl: opts.env.DATALEK_LINK_URL || DEFAULT_LOCAL_LINK_URL, key: linkKey, onKeyProblem },
          opts.policy,
          opts.now,
        );
      },
      containment: new PlanOnlyContainment(),
      linkKey,
      webhookSecret: async () => (await secrets.load()).webhookSecret,
      close: () => embedded.close(),
    };
  }
  // The AWS SDK is loaded only here: a local command never pays for it.
  const { openAwsBackend } = await import('./aws-backend.js');
  return openAwsBackend(opts);
}

/** Tells, once per run, that pages go without their link because the key cannot be read. */
export function keyProblem(opts: BackendOptions): LinkSigning['onKeyProblem'] {
  let told = false;
  return (_message, reason) => {
    if (told) return;
    told = true;
    opts.warn?.(oneLine(`datalek: pages go out without their acknowledgement link: the acknowledgement link key cannot be used (${reason})`));
  };
}

/** The store's link key file: `DATALEK_ACK_KEY`, else beside the store; never inside it. */
export function linkKeyPath(opts: Pick<BackendOptions, 'storeDir' | 'env'>): string {
  const path = resolve(opts.env.DATALEK_ACK_KEY || defaultLinkKeyPath(resolve(opts.storeDir)));
  const rel = relative(resolve(opts.storeDir), path);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    throw new UsageError(
      `DATALEK_ACK_KEY ${path} lies inside the store ${opts.storeDir}: keep the link key outside it, or whoever can read the store can make links`,
    );
  }
  return path;
}

/** The pager in front of the topics, recording in the store when a page had to go to the topic instead. */
export function routing(topics: Notifier, pager: Pager | null, store: IncidentStore, opts: BackendOptions): Notifier {
  return pagerRouting({
    topics,
    pager,
    now: opts.now,
    lang: opts.policy.language,
    onFallback: (message, reason) => recordPagerFailure({ store, policy: opts.policy, now: opts.now }, message.incidentId, reason, message.alert?.key),
  });
}

/** The drill mark of the embedded store in `dir`, or null when it is a real store or there is none. */
export function readDrillMark(dir: string): DrillMark | null {
  return SqliteIncidentStore.drillMark(dir);
}

export interface AwsSettings {
  region: string;
  table: string;
}

/** The region is required; table and topic names default to those `setup` and the CDK app create. */
export function awsSettings(env: NodeJS.ProcessEnv): AwsSettings {
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('--target aws needs AWS_REGION (e.g. eu-west-1); set AWS_ENDPOINT_URL too for an emulator');
  return { region, table: env.DATALEK_TABLE ?? DEFAULT_RESOURCE_NAMES.table };
}

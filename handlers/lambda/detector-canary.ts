/**
 * The daily GuardDuty detector check. The pipeline watch pages at the call that changes a
 * detector; this check finds what it cannot: a detector never enabled in a listed region, one
 * changed while CloudTrail was off, or a change the watch's page was missed for. In each region
 * the pipeline answers, the detector must exist, be ENABLED, publish as often as the deployment
 * expects, and have every protection plan (feature) the deployment expects enabled. Anything else
 * fails the invocation with what is wrong, region by region: its errors alarm pages on-call.
 * Where the deployment lists member accounts, each region's detector must also have each of them
 * as a member whose relationship is `Enabled` (core/guardduty-members.ts; fgsec16 S3).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { DatalekError } from '../core/errors.js';
import { checkMembers, type MemberReader } from '../core/guardduty-members.js';

/** How often GuardDuty publishes updates of findings (new ones always within minutes). */
export const PUBLISHING_FREQUENCIES = ['FIFTEEN_MINUTES', 'ONE_HOUR', 'SIX_HOURS'] as const;
export type PublishingFrequency = (typeof PUBLISHING_FREQUENCIES)[number];

export interface DetectorExpectation {
  findingPublishingFrequency: PublishingFrequency;
  /** GuardDuty features (protection plans) that must be ENABLED: `S3_DATA_EVENTS`, `EKS_AUDIT_LOGS`, `RUNTIME_MONITORING`, … */
  features: string[];
}

export interface CanaryConfig {
  regions: string[];
  expect: DetectorExpectation;
  /** The member accounts (`memberAccounts`) that must be Enabled members of each region's detector; none: not read. */
  members: string[];
}

/** What GetDetector says of one detector (the fields checked). */
export interface DetectorState {
  detectorId: string;
  status?: string;
  findingPublishingFrequency?: string;
  features: { name?: string; status?: string }[];
}

/** Reads a region's detectors: ListDetectors, then GetDetector of each. */
export type DetectorReader = (region: string) => Promise<DetectorState[]>;

export class ConfigurationProblem extends DatalekError {}

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/**
 * The check's configuration from the environment: `DATALEK_CANARY_REGIONS` (comma-separated;
 * default the function's own region), `DATALEK_CANARY_PUBLISHING_FREQUENCY` (default
 * FIFTEEN_MINUTES), `DATALEK_CANARY_FEATURES` (comma-separated; default none) and
 * `DATALEK_CANARY_MEMBERS` (comma-separated account ids; default none).
 */
export function loadCanaryConfig(env: NodeJS.ProcessEnv): CanaryConfig {
  const regions = list(env.DATALEK_CANARY_REGIONS ?? env.AWS_REGION);
  if (!regions.length) throw new ConfigurationProblem('invalid environment: DATALEK_CANARY_REGIONS (or AWS_REGION): required, the regions to check');
  const frequency = env.DATALEK_CANARY_PUBLISHING_FREQUENCY || 'FIFTEEN_MINUTES';
  if (!(PUBLISHING_FREQUENCIES as readonly string[]).includes(frequency)) {
    throw new ConfigurationProblem(
      `invalid environment: DATALEK_CANARY_PUBLISHING_FREQUENCY: expected one of ${PUBLISHING_FREQUENCIES.join(', ')}, got ${frequency}`,
    );
  }
  const members = list(env.DATALEK_CANARY_MEMBERS);
  const notIds = members.filter((m) => !/^\d{12}$/.test(m));
  if (notIds.length) throw new ConfigurationProblem(`invalid environment: DATALEK_CANARY_MEMBERS: expected 12-digit AWS account ids, got ${notIds.join(', ')}`);
  return { regions, expect: { findingPublishingFrequency: frequency as PublishingFrequency, features: list(env.DATALEK_CANARY_FEATURES) }, members };
}

/** What is wrong with a region's detectors, each as a sentence naming the region; none when all is as expected. */
export function detectorProblems(region: string, detectors: DetectorState[], expect: DetectorExpectation): string[] {
  if (!detectors.length) return [`${region}: no GuardDuty detector: no finding is raised there`];
  return detectors.flatMap((d) => {
    const problems: string[] = [];
    if (d.status !== 'ENABLED')
      problems.push(`${region}: detector ${d.detectorId} is ${d.status ?? 'of unknown status'}, not ENABLED: no finding is raised there`);
    if (d.findingPublishingFrequency !== expect.findingPublishingFrequency) {
      problems.push(
        `${region}: detector ${d.detectorId} publishes updated findings every ${d.findingPublishingFrequency ?? '(unknown)'}, not ${expect.findingPublishingFrequency} as the deployment expects`,
      );
    }
    for (const name of expect.features) {
      const feature = d.features.find((f) => f.name === name);
      if (feature?.status !== 'ENABLED')
        problems.push(`${region}: detector ${d.detectorId} has ${name} ${feature?.status ?? 'not set'}, not ENABLED as the deployment expects`);
    }
    return problems;
  });
}

export type CanaryLogger = Pick<Logger, 'info' | 'error'>;

export interface CanaryResult {
  regions: { region: string; detectors: number; problems: string[] }[];
}

export function createDetectorCanaryHandler(deps: { config: CanaryConfig; read: DetectorReader; readMembers: MemberReader; logger: CanaryLogger }) {
  return async (): Promise<CanaryResult> => {
    const regions = await Promise.all(
      deps.config.regions.map(async (region) => {
        try {
          const detectors = await deps.read(region);
          const members = await checkMembers(
            region,
            detectors.map((d) => d.detectorId),
            deps.config.members,
            deps.readMembers,
          );
          return { region, detectors: detectors.length, problems: [...detectorProblems(region, detectors, deps.config.expect), ...members] };
        } catch (err) {
          // Unreadable is not "fine": the check pages as for a problem, and says why.
          return { region, detectors: 0, problems: [`${region}: the detector could not be read (${(err as Error).name}: ${(err as Error).message})`] };
        }
      }),
    );
    const problems = regions.flatMap((r) => r.problems);
    for (const p of problems) deps.logger.error('GuardDuty detector not as the deployment expects', { problem: p });
    deps.logger.info('checked the GuardDuty detectors', { regions: regions.map((r) => r.region), problems: problems.length });
    if (problems.length) throw new DatalekError(`detector check: ${problems.join('; ')}`);
    return { regions };
  };
}

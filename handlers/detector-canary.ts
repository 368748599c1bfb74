/** Lambda entry: the daily GuardDuty detector check (see lambda/detector-canary.ts). Only GuardDuty's client: the bundle stays small. */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand, ListMembersCommand } from '@aws-sdk/client-guardduty';
import { PIPELINE_SDK, sdkConfig } from './adapters/aws/sdk-config.js';
import type { MemberState } from './core/guardduty-members.js';
import { createDetectorCanaryHandler, type DetectorState, loadCanaryConfig } from './lambda/detector-canary.js';

const config = loadCanaryConfig(process.env);
const clients = new Map<string, GuardDutyClient>();

function clientOf(region: string): GuardDutyClient {
  let client = clients.get(region);
  if (!client) {
    client = new GuardDutyClient(sdkConfig(region, PIPELINE_SDK));
    clients.set(region, client);
  }
  return client;
}

/** ListDetectors, then GetDetector of each, in `region`. */
async function read(region: string): Promise<DetectorState[]> {
  const client = clientOf(region);
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListDetectorsCommand({ NextToken: token }));
    ids.push(...(page.DetectorIds ?? []));
    token = page.NextToken;
  } while (token);
  return Promise.all(
    ids.map(async (detectorId) => {
      const d = await client.send(new GetDetectorCommand({ DetectorId: detectorId }));
      return {
        detectorId,
        status: d.Status,
        findingPublishingFrequency: d.FindingPublishingFrequency,
        features: (d.Features ?? []).map((f) => ({ name: f.Name, status: f.Status })),
      };
    }),
  );
}

/** ListMembers of the administrator's detector in `region`: every member, associated or not (a removed one shows as such). */
async function readMembers(region: string, detectorId: string): Promise<MemberState[]> {
  const members: MemberState[] = [];
  let token: string | undefined;
  do {
    const page = await clientOf(region).send(new ListMembersCommand({ DetectorId: detectorId, OnlyAssociated: 'false', NextToken: token }));
    members.push(...(page.Members ?? []).map((m) => ({ accountId: m.AccountId ?? '', relationshipStatus: m.RelationshipStatus })));
    token = page.NextToken;
  } while (token);
  return members;
}

export const handler = createDetectorCanaryHandler({
  config,
  read,
  readMembers,
  logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'datalek' }),
});

/** Lambda entry: the daily GuardDuty detector check (see lambda/detector-canary.ts). Only GuardDuty's client: the bundle stays small. */
import { Logger } from '@aws-lambda-powertools/logger';
import { GetDetectorCommand, GuardDutyClient, ListDetectorsCommand } from '@aws-sdk/client-guardduty';
import { PIPELINE_SDK, sdkConfig } from './adapters/aws/sdk-config.js';
import { createDetectorCanaryHandler, type DetectorState, loadCanaryConfig } from './lambda/detector-canary.js';

const config = loadCanaryConfig(process.env);
const clients = new Map<string, GuardDutyClient>();

/** ListDetectors, then GetDetector of each, in `region`. */
async function read(region: string): Promise<DetectorState[]> {
  let client = clients.get(region);
  if (!client) {
    client = new GuardDutyClient(sdkConfig(region, PIPELINE_SDK));
    clients.set(region, client);
  }
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

export const handler = createDetectorCanaryHandler({
  config,
  read,
  logger: new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'datalek' }),
});

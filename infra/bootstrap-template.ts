/**
 * The CDK bootstrap template datalek's own bootstrap is made with (`cdk bootstrap --template`:
 * README, Deploy): the CDK CLI's own, with one change (deploy's "Still left" 5).
 *
 * The staging bucket (`cdk-datalek-assets-<account>-<region>`) holds the functions' code zips and
 * the templates by their asset hash, and `cdk deploy` uploads an asset only when no object has its
 * key yet. Whoever may write there (the bootstrap's file-publishing role trusts the whole account)
 * can put a zip at the key a release's code will have, or replace one already there: the next
 * deploy then hands it to datalek's execution role, whose changes every watch rule excuses. No
 * bucket policy can refuse that: a write to a new key is the deploy's own kind of write, and a
 * policy cannot tell a replaced object from a new one unless every writer sends `If-None-Match`,
 * which CDK's publishing does not (not tried). Object Lock keeps old versions, never which one is
 * current. So every object written there is seen: the bucket sends S3's `Object Created` events to
 * EventBridge, and `datalek-watch-changes` pages on each (pipeline-watch.ts `stagingBucketCalls`).
 * A deploy that uploads new code pages so as well (announce it); one nobody announced is the attack.
 * Not confirmed on AWS: that `cdk bootstrap --template` takes this file as is, and the event's shape.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the CDK CLI keeps its bootstrap template (the CLI this repository installs). */
export const CDK_BOOTSTRAP_TEMPLATE = join(import.meta.dirname, '../node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml');

/** Where `cdk synth` writes datalek's bootstrap template, in its output directory (app.ts). */
export const BOOTSTRAP_TEMPLATE_FILE = 'datalek-bootstrap-template.yaml';

/** The staging bucket's properties this change follows, and the property it adds: S3's events to EventBridge. */
const VERSIONING = '      VersioningConfiguration:\n        Status: Enabled\n';
const TO_EVENTBRIDGE = '      NotificationConfiguration:\n        EventBridgeConfiguration:\n          EventBridgeEnabled: true\n';

/** The CLI's template (`cliTemplate`, YAML text) with the staging bucket sending its events to EventBridge. */
export function datalekBootstrapTemplate(cliTemplate = readFileSync(CDK_BOOTSTRAP_TEMPLATE, 'utf8')): string {
  const at = cliTemplate.indexOf('  StagingBucket:\n');
  const next = cliTemplate.indexOf('\n  StagingBucketPolicy:', at);
  const bucket = at < 0 || next < 0 ? '' : cliTemplate.slice(at, next);
  if (bucket.split(VERSIONING).length !== 2 || bucket.includes('NotificationConfiguration')) {
    throw new Error(
      `the CDK CLI's bootstrap template (${CDK_BOOTSTRAP_TEMPLATE}) no longer has its StagingBucket as datalek expects (one VersioningConfiguration, no NotificationConfiguration): update infra/bootstrap-template.ts for this CDK version`,
    );
  }
  return cliTemplate.slice(0, at) + bucket.replace(VERSIONING, VERSIONING + TO_EVENTBRIDGE) + cliTemplate.slice(next);
}

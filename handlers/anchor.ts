/** Lambda entry: the anchor on the sweep's schedule (see lambda/anchor.ts). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDbIncidentStore } from './adapters/aws/dynamodb-store.js';
import { kmsSigner } from './adapters/aws/kms-signer.js';
import { S3DigestStore } from './adapters/aws/s3-digests.js';
import { PIPELINE_SDK, sdkConfig } from './adapters/aws/sdk-config.js';
import { ConfigurationError } from './core/errors.js';
import * as z from './core/zod.js';
import { createAnchorHandler } from './lambda/anchor.js';
import { createLogger } from './lambda/runtime.js';
import { systemClock } from './ports/clock.js';
import type { DigestSigner } from './ports/digests.js';

const envSchema = z.object({
  AWS_REGION: z.string().check(z.minLength(1)),
  DATALEK_TABLE: z.string().check(z.minLength(3)),
  /** The bucket with Object Lock in compliance mode that the CDK app creates. */
  DATALEK_DIGEST_BUCKET: z.string().check(z.minLength(3)),
  DATALEK_DIGEST_PREFIX: z._default(z.string(), 'digests/'),
  /** The asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) that signs the digests. */
  DATALEK_ANCHOR_KMS_KEY: z.string().check(z.minLength(1)),
});

const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  throw new ConfigurationError(`invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: required`).join('; ')}`);
}
const env = parsed.data;
const config = sdkConfig(env.AWS_REGION, PIPELINE_SDK);
const kms = new KMSClient(config);
let signer: Promise<DigestSigner> | undefined;

export const handler = createAnchorHandler({
  source: new DynamoDbIncidentStore(new DynamoDBClient(config), env.DATALEK_TABLE),
  digests: new S3DigestStore(new S3Client(config), env.DATALEK_DIGEST_BUCKET, env.DATALEK_DIGEST_PREFIX),
  signer: () => {
    // A failed first call (KMS unreachable) is tried again on the next invocation, not remembered.
    signer ??= kmsSigner(kms, env.DATALEK_ANCHOR_KMS_KEY).catch((err) => {
      signer = undefined;
      throw err;
    });
    return signer;
  },
  logger: createLogger(),
  now: systemClock.now,
});

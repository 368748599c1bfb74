/**
 * Digests in S3, signed by KMS, for `--target aws`: in a module of its own, loaded only by a
 * command given an S3 location or a KMS key (anchoring.ts).
 */
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { kmsSigner, kmsVerifier } from '../adapters/aws/kms-signer.js';
import { S3DigestStore } from '../adapters/aws/s3-digests.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import type { DigestSigner, DigestStore, DigestVerifier } from '../ports/digests.js';
import { awsSettings } from './backend.js';

/** The digest store at `s3://BUCKET/PREFIX`; null when the location is not of that form. */
export function s3DigestStore(location: string, env: NodeJS.ProcessEnv): DigestStore | null {
  const parsed = S3DigestStore.parse(location);
  if (!parsed) return null;
  // An emulator (AWS_ENDPOINT_URL) serves buckets by path, not as a host name.
  const s3 = new S3Client({ ...sdkConfig(awsSettings(env).region, PIPELINE_SDK), forcePathStyle: Boolean(env.AWS_ENDPOINT_URL) });
  return new S3DigestStore(s3, parsed.bucket, parsed.prefix);
}

function kms(env: NodeJS.ProcessEnv): KMSClient {
  return new KMSClient(sdkConfig(awsSettings(env).region, PIPELINE_SDK));
}

export function kmsDigestSigner(env: NodeJS.ProcessEnv, keyId: string): Promise<DigestSigner> {
  return kmsSigner(kms(env), keyId);
}

export function kmsDigestVerifier(env: NodeJS.ProcessEnv, keyId: string): Promise<DigestVerifier> {
  return kmsVerifier(kms(env), keyId);
}

/**
 * Where digests go and which key signs or checks them, from flags and environment:
 * `--digests DIR|s3://BUCKET/PREFIX` (or `DATALEK_DIGESTS`); `--key FILE` (or
 * `DATALEK_ANCHOR_KEY`): a PEM key, private to sign, public or private to check; or
 * `DATALEK_ANCHOR_KMS_KEY`: a KMS key id or ARN (ECC_NIST_P256, SIGN_VERIFY). Digests and keys must
 * lie outside the store: whoever can write the store must not be able to rewrite them too.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { kmsSigner, kmsVerifier } from '../adapters/aws/kms-signer.js';
import { S3DigestStore } from '../adapters/aws/s3-digests.js';
import { PIPELINE_SDK, sdkConfig } from '../adapters/aws/sdk-config.js';
import { DigestFolder } from '../adapters/local/digest-folder.js';
import { pemSigner, pemVerifier } from '../adapters/local/pem-keys.js';
import type { DigestSigner, DigestStore, DigestVerifier } from '../ports/digests.js';
import { awsSettings } from './backend.js';
import type { Context } from './context.js';
import { UsageError } from './errors.js';

function inside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The digest location of this run, or null when none was given. */
export function digestStore(ctx: Context, location = (ctx.flags.digests as string | undefined) ?? ctx.io.env.DATALEK_DIGESTS): DigestStore | null {
  if (!location) return null;
  if (location.startsWith('s3://')) {
    const parsed = S3DigestStore.parse(location);
    if (!parsed) throw new UsageError(`--digests ${JSON.stringify(location)} is not s3://BUCKET/PREFIX`);
    // An emulator (AWS_ENDPOINT_URL) serves buckets by path, not as a host name.
    const s3 = new S3Client({ ...sdkConfig(awsSettings(ctx.io.env).region, PIPELINE_SDK), forcePathStyle: Boolean(ctx.io.env.AWS_ENDPOINT_URL) });
    return new S3DigestStore(s3, parsed.bucket, parsed.prefix);
  }
  const dir = resolve(ctx.io.cwd, location);
  if (ctx.target === 'local' && inside(ctx.storeDir, dir)) {
    throw new UsageError(
      `--digests ${dir} lies inside the store ${ctx.storeDir}: digests must be kept outside it, or whoever can write the store can rewrite them too`,
    );
  }
  return new DigestFolder(dir);
}

function keyFile(ctx: Context, ...envNames: string[]): string | undefined {
  const file = (ctx.flags.key as string | undefined) ?? envNames.map((n) => ctx.io.env[n]).find(Boolean);
  if (!file) return undefined;
  const path = resolve(ctx.io.cwd, file);
  if (ctx.target === 'local' && inside(ctx.storeDir, path))
    throw new UsageError(`the key ${path} lies inside the store: keep it outside, or it protects nothing`);
  return path;
}

function kms(ctx: Context): KMSClient {
  return new KMSClient(sdkConfig(awsSettings(ctx.io.env).region, PIPELINE_SDK));
}

/** The signer of `datalek anchor`. */
export async function digestSigner(ctx: Context): Promise<DigestSigner> {
  const file = keyFile(ctx, 'DATALEK_ANCHOR_KEY');
  if (file) {
    try {
      return pemSigner(file);
    } catch (err) {
      throw new UsageError(`cannot sign with ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const kmsKey = ctx.io.env.DATALEK_ANCHOR_KMS_KEY;
  if (kmsKey) return kmsSigner(kms(ctx), kmsKey);
  throw new UsageError(
    'anchor needs a signing key kept outside the store: --key FILE (or DATALEK_ANCHOR_KEY), a PEM file such as `openssl genpkey -algorithm ed25519 -out digest-key.pem`, or DATALEK_ANCHOR_KMS_KEY on AWS',
  );
}

/** The trusted key of `datalek verify --digests`. */
export async function digestVerifier(ctx: Context): Promise<DigestVerifier> {
  const file = keyFile(ctx, 'DATALEK_ANCHOR_PUBLIC_KEY', 'DATALEK_ANCHOR_KEY');
  if (file) {
    try {
      return pemVerifier(file);
    } catch (err) {
      throw new UsageError(`cannot read the key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  const kmsKey = ctx.io.env.DATALEK_ANCHOR_KMS_KEY;
  if (kmsKey) return kmsVerifier(kms(ctx), kmsKey);
  throw new UsageError(
    'verify --digests needs the key the digests are checked with: --key FILE (or DATALEK_ANCHOR_PUBLIC_KEY), the public key of the signing key, or DATALEK_ANCHOR_KMS_KEY on AWS',
  );
}

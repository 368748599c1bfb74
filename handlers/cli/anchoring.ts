/**
 * Where digests go and which key signs or checks them, from flags and environment:
 * `--digests DIR|s3://BUCKET/PREFIX` (or `DATALEK_DIGESTS`); `--key FILE` (or
 * `DATALEK_ANCHOR_KEY`): a PEM key, private to sign, public or private to check; or
 * `DATALEK_ANCHOR_KMS_KEY`: a KMS key id or ARN (ECC_NIST_P256, SIGN_VERIFY). Digests and keys must
 * lie outside the store: whoever can write the store must not be able to rewrite them too.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { DigestFolder } from '../adapters/local/digest-folder.js';
import { pemSigner, pemVerifier } from '../adapters/local/pem-keys.js';
import type { DigestSigner, DigestStore, DigestVerifier } from '../ports/digests.js';
import type { Context } from './context.js';
import { UsageError } from './errors.js';

function inside(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * The digest location of this run, or null when none was given. (The AWS SDK is loaded only for
 * an S3 location or a KMS key.)
 */
export async function digestStore(
  ctx: Context,
  location = (ctx.flags.digests as string | undefined) ?? ctx.io.env.DATALEK_DIGESTS,
): Promise<DigestStore | null> {
  if (!location) return null;
  if (location.startsWith('s3://')) {
    const store = (await import('./aws-digests.js')).s3DigestStore(location, ctx.io.env);
    if (!store) throw new UsageError(`--digests ${JSON.stringify(location)} is not s3://BUCKET/PREFIX`);
    return store;
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
  if (kmsKey) return (await import('./aws-digests.js')).kmsDigestSigner(ctx.io.env, kmsKey);
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
  if (kmsKey) return (await import('./aws-digests.js')).kmsDigestVerifier(ctx.io.env, kmsKey);
  throw new UsageError(
    'verify --digests needs the key the digests are checked with: --key FILE (or DATALEK_ANCHOR_PUBLIC_KEY), the public key of the signing key, or DATALEK_ANCHOR_KMS_KEY on AWS',
  );
}

import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sha256 } from '../../core/hash.js';
import type { DigestAlgorithm, DigestSigner, DigestVerifier } from '../../ports/digests.js';

/**
 * Digest keys from PEM files, kept outside the store: Ed25519 (`openssl genpkey -algorithm
 * ed25519`) or ECDSA P-256 (the kind a KMS signing key is; its public key from `aws kms
 * get-public-key` verifies digests the AWS anchor wrote).
 */

/** A key's id: the first 32 hex digits of the SHA-256 of its public key (SPKI, DER). */
export function keyIdOf(publicKey: KeyObject): string {
  return sha256(publicKey.export({ type: 'spki', format: 'der' }).toString('hex')).slice(0, 32);
}

function algorithmOf(key: KeyObject): DigestAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256-sha256';
  throw new Error(`a ${key.asymmetricKeyType} key; digests are signed with Ed25519 or ECDSA P-256`);
}

/** Signs with the private key in `file`. */
export function pemSigner(file: string): DigestSigner {
  const key = createPrivateKey(readFileSync(file));
  const algorithm = algorithmOf(key);
  return {
    keyId: keyIdOf(createPublicKey(key)),
    algorithm,
    sign: async (statement) => sign(algorithm === 'ed25519' ? null : 'sha256', statement, key),
    verifier: publicKeyVerifier(createPublicKey(key)),
  };
}

/** Verifies with the public key in `file` (a private key file gives its public key). */
export function pemVerifier(file: string): DigestVerifier {
  return publicKeyVerifier(createPublicKey(readFileSync(file)));
}

export function publicKeyVerifier(key: KeyObject): DigestVerifier {
  const own = algorithmOf(key);
  return {
    keyId: keyIdOf(key),
    verify: (statement, signature, algorithm) => algorithm === own && verify(own === 'ed25519' ? null : 'sha256', statement, key, signature),
  };
}

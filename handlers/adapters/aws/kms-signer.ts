import { createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import type { DigestSigner, DigestVerifier } from '../../ports/digests.js';
import { keyIdOf, publicKeyVerifier } from '../local/pem-keys.js';

/**
 * Digests signed with an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY): the private key never
 * leaves KMS, so whoever can write the incidents table cannot sign a digest without kms:Sign on
 * this key. The statement is short and sent RAW: KMS hashes it with SHA-256 (ECDSA_SHA_256).
 */
export async function kmsSigner(kms: KMSClient, keyId: string): Promise<DigestSigner> {
  const publicKey = await kmsPublicKey(kms, keyId);
  return {
    keyId: keyIdOf(publicKey),
    algorithm: 'ecdsa-p256-sha256',
    sign: async (statement) => {
      const out = await kms.send(new SignCommand({ KeyId: keyId, Message: statement, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' }));
      return Buffer.from(out.Signature as Uint8Array);
    },
    verifier: publicKeyVerifier(publicKey),
  };
}

/** Verifies with the KMS key's public key, checked locally (kms:GetPublicKey only). */
export async function kmsVerifier(kms: KMSClient, keyId: string): Promise<DigestVerifier> {
  return publicKeyVerifier(await kmsPublicKey(kms, keyId));
}

async function kmsPublicKey(kms: KMSClient, keyId: string) {
  const out = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
  return createPublicKey({ key: Buffer.from(out.PublicKey as Uint8Array), format: 'der', type: 'spki' });
}

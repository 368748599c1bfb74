/**
 * Where digests go and who signs them. Digests live outside the store (a folder, or an S3 bucket
 * with Object Lock in compliance mode) and are signed with a key the store does not hold (a PEM
 * file, or a KMS key), so that someone who can write the store can neither rewrite them nor write
 * new ones that match a rewritten store.
 */

import type { IncidentHead } from '../core/ledger.js';

/** Signs a digest's statement. `keyId` names the key in the digest, so a verifier can tell. */
export interface DigestSigner {
  keyId: string;
  algorithm: DigestAlgorithm;
  sign(statement: Buffer): Promise<Buffer>;
  /** Checks a signature with this key's public half: the anchor tells its own digests from others. */
  verifier?: DigestVerifier;
}

export type DigestAlgorithm = 'ed25519' | 'ecdsa-p256-sha256';

/** Checks a signature with a key the verifier trusts (never one the digest names for itself). */
export interface DigestVerifier {
  /** The id of the trusted key, as signers write it. */
  keyId: string;
  verify(statement: Buffer, signature: Buffer, algorithm: DigestAlgorithm): boolean;
}

/** A place digests are written to once and never overwritten. */
export interface DigestStore {
  /** `/var/lib/datalek/digests` or `s3://bucket/prefix/`. */
  describe(): string;
  /** Every digest's name, in any order. */
  list(): Promise<string[]>;
  /** The digests' names after `name` (all when null), in order: what was written after it. */
  after(name: string | null): Promise<string[]>;
  /**
   * Where the location keeps versions (an S3 bucket with versioning and Object Lock): every name
   * with its versions, oldest first, and whether a delete marker hides it. A digest is written
   * once: a second version of a name is a digest written over.
   */
  versions?(): Promise<{ name: string; versionIds: string[]; deleted: boolean }[]>;
  /** A digest's bytes: its latest version, or the version named. */
  read(name: string, versionId?: string): Promise<Buffer>;
  /** Writes a new digest; fails (never overwrites) when the name exists. */
  create(name: string, bytes: Buffer): Promise<void>;
  /**
   * Where the location keeps an index of the heads its digests anchored (S3: one write-once object
   * per head signed, locked as the digests are): the head the newest digest naming the incident anchored,
   * with that digest's number; null when no digest anchored it (or none indexed yet). The anchor of
   * a store that keeps no anchored set (DynamoDB) holds each incident it reads to it: the store's
   * own bookkeeping is writable by whoever writes the store, the index is not.
   */
  anchoredHead?(incidentId: string): Promise<(IncidentHead & { sequence: number }) | null>;
  /** Indexes the heads digest `sequence` anchored (after it is written); a head indexed already stays as it is. */
  recordAnchored?(sequence: number, heads: IncidentHead[]): Promise<void>;
}

import { GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StoreError } from '../../core/errors.js';
import type { IncidentHead } from '../../core/ledger.js';
import type { DigestStore } from '../../ports/digests.js';

/** The highest digest number a key can carry: keys count down from it, so the head the newest digest anchored lists first. */
const TOP_SEQ = 9_999_999_999;
const pad = (n: number) => String(n).padStart(10, '0');
/** How many index objects are written at once: a run's 500 heads in seconds, not one round trip each. */
const INDEX_WRITES_AT_ONCE = 16;
/** `<countdown from the digest's number>-<seq>-<hash>`: an indexed head, all in its name (no GetObject to read it). */
const INDEXED = /^(\d{10})-(\d{10})-([0-9a-f]{64})$/;

/**
 * Digests in an S3 bucket with Object Lock in compliance mode (the CDK app creates it): once
 * written, a digest cannot be changed or deleted by anyone, the account's root user included,
 * until its retention ends. Each is created with `If-None-Match: *`: never over an existing one.
 *
 * Beside them, under `anchored/<incident>/`, an index of the heads they anchored: one empty object
 * per head signed, its name holding the head and the digest's number, written once and locked as
 * the digests are. Names count down from TOP_SEQ by the digest's number, so one listing of one key
 * reads the head the newest digest anchored (as SQLite's set holds it: a head a person released,
 * anchored again lower in the ledger, replaces the one before). The digests' own listings stop at the `/` (Delimiter) and never page
 * through the index.
 */
export class S3DigestStore implements DigestStore {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {}

  /** `s3://bucket/prefix/` into its bucket and prefix (the prefix ends with `/` unless empty). */
  static parse(location: string): { bucket: string; prefix: string } | null {
    const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(location);
    if (!m) return null;
    const prefix = (m[2] ?? '').replace(/^\/+/, '');
    return { bucket: m[1], prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix };
  }

  describe(): string {
    return `s3://${this.bucket}/${this.prefix}`;
  }

  async list(): Promise<string[]> {
    return this.listFrom(undefined);
  }

  /** One listing from the digest after `name` on (the anchor's: s3:ListBucket on the prefix). */
  async after(name: string | null): Promise<string[]> {
    return (await this.listFrom(name === null ? undefined : `${this.prefix}${name}`)).sort();
  }

  private async listFrom(startAfter: string | undefined): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call('ListObjectsV2', () =>
        this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.prefix, Delimiter: '/', StartAfter: startAfter, ContinuationToken: token })),
      );
      for (const o of page.Contents ?? []) {
        const name = (o.Key ?? '').slice(this.prefix.length);
        if (/^digest-\d+\.json$/.test(name)) names.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  /**
   * Every version of every digest (ListObjectVersions): the bucket keeps them all, so a digest
   * written over (a PutObject without If-None-Match, which replaced code could send) or hidden by a
   * delete marker is still there to read and to report.
   */
  async versions(): Promise<{ name: string; versionIds: string[]; deleted: boolean }[]> {
    const byName = new Map<string, { name: string; versionIds: string[]; deleted: boolean }>();
    const entry = (key: string | undefined) => {
      const name = (key ?? '').slice(this.prefix.length);
      if (!/^digest-\d+\.json$/.test(name)) return undefined;
      const e = byName.get(name) ?? { name, versionIds: [], deleted: false };
      byName.set(name, e);
      return e;
    };
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const page = await this.call('ListObjectVersions', () =>
        this.s3.send(
          new ListObjectVersionsCommand({ Bucket: this.bucket, Prefix: this.prefix, Delimiter: '/', KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
        ),
      );
      // Each key's versions come newest first.
      for (const v of page.Versions ?? []) entry(v.Key)?.versionIds.unshift(String(v.VersionId));
      for (const m of page.DeleteMarkers ?? []) {
        const e = entry(m.Key);
        if (e && m.IsLatest) e.deleted = true;
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker);
    return [...byName.values()].filter((e) => e.versionIds.length > 0);
  }

  async read(name: string, versionId?: string): Promise<Buffer> {
    const out = await this.call('GetObject', () =>
      this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: `${this.prefix}${name}`, ...(versionId ? { VersionId: versionId } : {}) })),
    );
    return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
  }

  async create(name: string, bytes: Buffer): Promise<void> {
    await this.call('PutObject', () =>
      this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: `${this.prefix}${name}`,
          Body: bytes,
          ContentType: 'application/json',
          IfNoneMatch: '*',
          // Object Lock needs an integrity checksum on every write.
          ChecksumAlgorithm: 'SHA256',
        }),
      ),
    );
  }

  private indexPrefix(incidentId: string): string {
    return `${this.prefix}anchored/${encodeURIComponent(incidentId)}/`;
  }

  /** One listing, of one key: the incident's newest indexed head. */
  async anchoredHead(incidentId: string): Promise<(IncidentHead & { sequence: number }) | null> {
    const prefix = this.indexPrefix(incidentId);
    const page = await this.call('ListObjectsV2', () => this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, MaxKeys: 1 })));
    const key = page.Contents?.[0]?.Key;
    if (key === undefined) return null;
    const m = INDEXED.exec(key.slice(prefix.length));
    // Only the anchor writes here: a name it would not write is reported, never read past.
    if (!m || Number(m[1]) === TOP_SEQ)
      throw new StoreError(`the anchored-head index in ${this.describe()} holds ${key}, which the anchor does not write: the index was written by another`);
    return { incidentId, seq: Number(m[2]), hash: m[3], sequence: TOP_SEQ - Number(m[1]) };
  }

  /** One PutObject per head (If-None-Match: a head indexed already stays), a few at a time. */
  async recordAnchored(sequence: number, heads: IncidentHead[]): Promise<void> {
    for (let i = 0; i < heads.length; i += INDEX_WRITES_AT_ONCE)
      await Promise.all(
        heads.slice(i, i + INDEX_WRITES_AT_ONCE).map(async (h) => {
          const key = `${this.indexPrefix(h.incidentId)}${pad(TOP_SEQ - sequence)}-${pad(h.seq)}-${h.hash}`;
          try {
            await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: new Uint8Array(0), IfNoneMatch: '*', ChecksumAlgorithm: 'SHA256' }));
          } catch (err) {
            if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return;
            throw new StoreError(`S3 PutObject of ${key} in ${this.describe()} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
          }
        }),
      );
  }

  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new StoreError(`S3 ${what} on ${this.describe()} failed: ${(err as Error).name}: ${(err as Error).message}`, { cause: err });
    }
  }
}

import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DigestStore } from '../../ports/digests.js';
import { makePrivateDir } from './private-files.js';

/**
 * Digests in a local folder, outside the store. Each is created exclusively (O_EXCL) and never
 * overwritten. A local folder is only as safe as the machine: whoever can write the store here can
 * probably delete digests too (verify then reports them missing); keep a copy elsewhere, or use the
 * S3 bucket with Object Lock on AWS.
 */
export class DigestFolder implements DigestStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  describe(): string {
    return `${this.dir}/`;
  }

  async list(): Promise<string[]> {
    try {
      return readdirSync(this.dir).filter((name) => /^digest-\d+\.json$/.test(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }

  async after(name: string | null): Promise<string[]> {
    return (await this.list()).filter((n) => name === null || n > name).sort();
  }

  async read(name: string): Promise<Buffer> {
    return readFileSync(join(this.dir, name));
  }

  async create(name: string, bytes: Buffer): Promise<void> {
    makePrivateDir(this.dir);
    // Read-only, and its owner's only (the incidents' ids and the register's shape).
    writeFileSync(join(this.dir, name), bytes, { flag: 'wx', mode: 0o400 });
  }
}

/**
 * The acknowledgement link key of the embedded store: a file beside the store (`<store>.ack-key`,
 * e.g. `.datalek.ack-key` next to `.datalek/`), or where `DATALEK_ACK_KEY` says, but never inside
 * it: whoever can read the store must not be able to make a link. Made on first use, 256 random
 * bits in hex, readable by the owner only.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { MIN_LINK_KEY_BYTES } from '../../core/ack-link.js';
import { ConfigurationError } from '../../core/errors.js';

/** The key file of the store in `storeDir`. */
export function defaultLinkKeyPath(storeDir: string): string {
  return `${storeDir.replace(/[/\\]+$/, '')}.ack-key`;
}

/** Reads the key in `path`, making it first when `create` and it does not exist yet. */
export function fileLinkKey(path: string, options: { create: boolean }): () => Promise<Buffer> {
  let key: Buffer | null = null;
  return async () => {
    key ??= load(path, options.create);
    return key;
  };
}

function load(path: string, create: boolean): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigurationError(`cannot read the acknowledgement link key ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!create) throw new ConfigurationError(`no acknowledgement link key at ${path}: the first replay or sweep makes it`);
    // Written whole under a name of its own, then linked into place: a link either makes the key
    // file complete or fails because another process made it first, whose key is then read. (Written
    // in place, the other process could read the file between its creation and its content.)
    const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      writeFileSync(temporary, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
      linkSync(temporary, path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigurationError(`cannot make the acknowledgement link key ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      }
    } finally {
      try {
        unlinkSync(temporary);
      } catch {
        // Never made (the write failed): nothing to remove.
      }
    }
    return load(path, false);
  }
  const trimmed = text.trim();
  const key = /^(?:[0-9a-f]{2}){32,}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'utf8');
  if (key.length < MIN_LINK_KEY_BYTES) {
    throw new ConfigurationError(`the acknowledgement link key ${path} is too short: at least ${MIN_LINK_KEY_BYTES} bytes (64 hex digits)`);
  }
  return key;
}

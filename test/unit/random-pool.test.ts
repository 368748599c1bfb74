/**
 * The salts and secrets a record keeps (an incident's salt and pseudonym secret, a finding record's
 * salt, the store's pseudonym secret) are read from the system's generator a pool at a time
 * (core/random.ts): each read cost some 13 µs, and a replay made two an event (issue #14). The
 * bytes are still each handed out once, in the order they were read.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_POLICY } from '../../handlers/core/policy.js';
import { type RecordDeps, recordEventText } from '../../handlers/core/record-finding.js';
import { accessKeyResource, findingEvent } from '../support/events.js';
import { tempSqliteStore } from '../support/store.js';

/**
 * The generator (randomBytes and randomFillSync), its reads counted: its bytes are one stream
 * across every read, byte i being byte i % 32 of SHA-256(floor(i / 32)), so that a byte handed out
 * twice or skipped shows.
 */
const generator = vi.hoisted(() => ({ reads: 0, next: 0, byteAt: (_i: number): number => 0 }));
vi.mock('node:crypto', async (original) => {
  const crypto = await original<typeof import('node:crypto')>();
  generator.byteAt = (i) =>
    crypto
      .createHash('sha256')
      .update(String(Math.floor(i / 32)))
      .digest()[i % 32];
  const fill = <T extends NodeJS.ArrayBufferView>(buffer: T, offset = 0, size?: number): T => {
    generator.reads += 1;
    const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const end = size === undefined ? bytes.length : offset + size;
    for (let i = offset; i < end; i++) bytes[i] = generator.byteAt(generator.next++);
    return buffer;
  };
  const randomBytes = (size: number) => fill(Buffer.alloc(size));
  const randomFillSync = fill;
  return { ...crypto, default: { ...crypto, randomBytes, randomFillSync }, randomBytes, randomFillSync };
});

describe('random salts and secrets', () => {
  let setup: ReturnType<typeof tempSqliteStore>;
  beforeEach(() => {
    setup = tempSqliteStore();
  });
  afterEach(async () => {
    await setup.cleanup();
  });

  it('are read from the generator once for many incidents opened, not once per salt', async () => {
    const deps: RecordDeps = { store: setup.store, policy: DEFAULT_POLICY, now: () => '2026-11-28T03:00:00.000Z', canEnforce: false };
    const readsBefore = generator.reads;
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      // An instance's finding, and an IAM user's (whose name the store's pseudonym secret keys).
      const resource = i % 2 ? accessKeyResource(`AKIAEXAMPLE0000000${String(i).padStart(2, '0')}`, 'IAMUser', `user-${i}`) : undefined;
      const result = await recordEventText(
        deps,
        JSON.stringify(findingEvent({ id: `f-${i}`, instanceId: `i-${i}`, severity: 8, ...(resource ? { resource } : {}) })),
      );
      expect(result.outcome).toBe('opened');
      ids.push(result.incidentId as string);
    }
    // 20 incidents, each with its salt, its pseudonym secret and its finding's salt, and the store's secret.
    const incidents = await Promise.all(ids.map((id) => setup.store.getIncident(id)));
    expect(new Set(incidents.map((i) => i?.salt)).size).toBe(20);
    expect(new Set(incidents.map((i) => i?.pseudonymKey)).size).toBe(20);
    expect(generator.reads - readsBefore).toBe(1);
  });

  it('hand out the bytes of their reads in order, each once, across the end of a read', async () => {
    // A pool of its own, empty: its first read starts where the stream stands now.
    vi.resetModules();
    const { randomText } = await import('../../handlers/core/random.js');
    const start = generator.next;
    const readsBefore = generator.reads;
    const sizes = Array.from({ length: 400 }, (_, i) => (i % 3 === 1 ? 32 : 16));
    const bytes = Buffer.concat(sizes.map((n, i) => Buffer.from(randomText(n, i % 2 ? 'base64' : 'base64url'), i % 2 ? 'base64' : 'base64url')));
    expect(bytes.length).toBe(sizes.reduce((a, b) => a + b, 0));
    const expected = Buffer.from(Array.from({ length: bytes.length }, (_, i) => generator.byteAt(start + i)));
    expect(bytes.equals(expected), 'the stream, none skipped or repeated').toBe(true);
    expect(generator.reads - readsBefore).toBe(3);
  });
});

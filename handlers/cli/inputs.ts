/**
 * What `replay` reads, and how: one bad input is one rejection, never the end of the run.
 *
 * - Each PATH is a file, or a folder read recursively in name order (`.json` files only). A PATH
 *   that does not exist stops the run before anything is written (exit 2); anything else found that
 *   is not a regular file (a FIFO, a device such as /dev/zero, a dangling symbolic link, a link
 *   loop) is one rejected input naming the path and why.
 * - A file is read as a stream in bounded memory: a JSON array is cut into its elements as it
 *   arrives, each element at most 256 KB and 64 levels deep (larger or deeper ones are skipped
 *   without being held, and rejected); a file holding one event is at most 256 KB.
 * - Each event's bytes must be valid UTF-8; a read or decode error rejects that input only.
 */
import { constants, type Dirent, lstatSync, readdirSync, type Stats, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { MAX_EVENT_BYTES, MAX_EVENT_DEPTH } from '../core/finding.js';
import { UsageError } from './errors.js';

/** A file to read, or something found that will not be read and why. */
export interface InputFile {
  /** The path as the person gave it, or relative to the working folder for what a folder holds. */
  name: string;
  path: string;
  /** Why it is not read (then it is one rejected input). */
  problem?: string;
}

/** One input of a file: an event's text, or why it was rejected. */
export interface InputEvent {
  /** `<file>#<index>`, as `replay --json` names it. */
  name: string;
  text?: string;
  problem?: string;
}

/**
 * The inputs the PATHs name, checked before anything is processed: a PATH that does not exist or
 * cannot be looked at is a `UsageError` (exit 2, nothing written).
 */
export function expandPaths(paths: string[], cwd = process.cwd()): InputFile[] {
  const out: InputFile[] = [];
  for (const path of paths) {
    let link: Stats;
    try {
      link = lstatSync(path);
    } catch (err) {
      throw new UsageError(`cannot read ${path}: ${code(err)}`);
    }
    const target = follow(path, link);
    if ('problem' in target) out.push({ name: path, path, problem: target.problem });
    else if (target.stat.isDirectory()) out.push(...walk(path, cwd, new Set([inode(target.stat)])));
    else out.push(regularOrNot(path, path, target.stat));
  }
  return out;
}

function walk(dir: string, cwd: string, seen: Set<string>): InputFile[] {
  // Relative to the working folder when inside it, else the full path (never ../../tmp/…).
  const name = (p: string) => {
    const rel = relative(cwd, p);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : p;
  };
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    return [{ name: name(dir), path: dir, problem: `cannot read this folder (${code(err)})` }];
  }
  const out: InputFile[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    let link: Stats;
    try {
      link = lstatSync(full);
    } catch (err) {
      out.push({ name: name(full), path: full, problem: `cannot read (${code(err)})` });
      continue;
    }
    const target = follow(full, link);
    if ('problem' in target) {
      if (entry.name.endsWith('.json')) out.push({ name: name(full), path: full, problem: target.problem });
    } else if (target.stat.isDirectory()) {
      const id = inode(target.stat);
      if (seen.has(id)) out.push({ name: name(full), path: full, problem: 'a folder already being read (a symbolic link loop): not read again' });
      else out.push(...walk(full, cwd, new Set([...seen, id])));
    } else if (entry.name.endsWith('.json')) {
      out.push(regularOrNot(name(full), full, target.stat));
    }
  }
  return out;
}

/** Follows a symbolic link to what it names; a dangling link or a loop is a problem, not an error. */
function follow(path: string, link: Stats): { stat: Stats } | { problem: string } {
  if (!link.isSymbolicLink()) return { stat: link };
  try {
    return { stat: statSync(path) };
  } catch (err) {
    const c = code(err);
    if (c === 'ENOENT') return { problem: 'a symbolic link to nothing (dangling): not read' };
    if (c === 'ELOOP') return { problem: 'a symbolic link loop: not read' };
    return { problem: `a symbolic link that cannot be followed (${c}): not read` };
  }
}

function regularOrNot(name: string, path: string, stat: Stats): InputFile {
  return stat.isFile() ? { name, path } : { name, path, problem: `${kindOf(stat)}, not a regular file: not read` };
}

function kindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isCharacterDevice()) return 'a character device';
  if (stat.isBlockDevice()) return 'a block device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isDirectory()) return 'a folder';
  return 'a special file';
}

function inode(stat: Stats): string {
  return `${stat.dev}:${stat.ino}`;
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? (err as Error).message;
}

const CHUNK_BYTES = 64 * 1024;

/**
 * The events of one file, as they are read. The file is opened without blocking and checked to be
 * a regular file on the open descriptor itself (a FIFO swapped in after the folder was listed is
 * still refused). A JSON array yields one input per element; anything else is one input.
 */
export async function* readEvents(file: InputFile): AsyncGenerator<InputEvent> {
  const at = (index: number) => `${file.name}#${index}`;
  if (file.problem) {
    yield { name: at(0), problem: `${file.name}: ${file.problem}` };
    return;
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    yield { name: at(0), problem: `${file.name}: cannot open (${code(err)})` };
    return;
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) {
      yield { name: at(0), problem: `${file.name}: ${kindOf(stat)}, not a regular file: not read` };
      return;
    }
    const splitter = new EventSplitter(file.name, stat.size);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      let bytes: number;
      try {
        ({ bytesRead: bytes } = await handle.read(buffer, 0, CHUNK_BYTES, null));
      } catch (err) {
        yield* splitter.fail(`${file.name}: reading failed (${code(err)}); the rest of the file is not read`);
        return;
      }
      if (bytes === 0) break;
      yield* splitter.push(buffer.subarray(0, bytes));
      if (splitter.finished) break;
    }
    yield* splitter.end();
  } finally {
    await handle.close();
  }
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Cuts a byte stream into events. JSON's structure is ASCII, and no byte of a multi-byte UTF-8
 * character is ASCII, so brackets, quotes and commas are found on the bytes without decoding; each
 * event's bytes are decoded (strictly) on their own. Memory: one event, at most 256 KB.
 */
class EventSplitter {
  private mode: 'start' | 'array' | 'single' | 'after' = 'start';
  private index = 0;
  private offset = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The current element's bytes (until it proves too large or too deep), its size and start. */
  private parts: Buffer[] = [];
  private size = 0;
  private started = false;
  private start = 0;
  private tooDeep = false;
  private unbalanced = false;
  private trailing = false;
  finished = false;

  constructor(
    private readonly name: string,
    private readonly fileBytes: number,
  ) {}

  *push(chunk: Buffer): Generator<InputEvent> {
    let i = 0;
    if (this.mode === 'start') {
      if (this.offset === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3; // a UTF-8 byte order mark
      while (i < chunk.length && WHITESPACE.has(chunk[i])) i++;
      if (i === chunk.length) {
        this.offset += chunk.length;
        return;
      }
      if (chunk[i] === 0x5b) {
        this.mode = 'array';
        this.depth = 1;
        i++;
      } else {
        this.mode = 'single';
        if (this.fileBytes > MAX_EVENT_BYTES) {
          this.finished = true;
          yield this.reject(
            `${this.name}: the file is ${this.fileBytes} bytes and holds one event; an event is at most ${MAX_EVENT_BYTES} bytes (256 KB); many events go in a JSON array`,
          );
          return;
        }
      }
    }
    if (this.mode === 'single') {
      this.keep(chunk.subarray(i));
      if (this.size > MAX_EVENT_BYTES) {
        // The file grew while it was read.
        this.finished = true;
        yield this.reject(`${this.name}: more than ${MAX_EVENT_BYTES} bytes (256 KB) in one event`);
      }
      this.offset += chunk.length;
      return;
    }
    let from = i;
    for (; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.mode === 'after') {
        if (!WHITESPACE.has(c)) this.trailing = true;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) this.inString = false;
        continue;
      }
      if (!this.started) {
        if (WHITESPACE.has(c)) {
          from = i + 1;
          continue;
        }
        if (c === 0x5d || c === 0x2c) {
          // `[]` holds nothing; `[1,]` and `[1,,2]` hold an empty element.
          if (c === 0x2c || this.index > 0) yield this.finish();
          if (c === 0x5d) this.mode = 'after';
          from = i + 1;
          continue;
        }
        this.started = true;
        this.start = this.offset + i;
        from = i;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        this.depth += 1;
        if (this.depth - 1 > MAX_EVENT_DEPTH) this.tooDeep = true;
      } else if (c === 0x7d || c === 0x5d) {
        if (this.depth === 1) {
          if (c === 0x7d) {
            this.unbalanced = true;
            continue;
          }
          this.keep(chunk.subarray(from, i));
          yield this.finish();
          this.mode = 'after';
          continue;
        }
        this.depth -= 1;
      } else if (c === 0x2c && this.depth === 1) {
        this.keep(chunk.subarray(from, i));
        yield this.finish();
        from = i + 1;
      }
    }
    if (this.started && this.mode === 'array') this.keep(chunk.subarray(from, i));
    this.offset += chunk.length;
  }

  *end(): Generator<InputEvent> {
    if (this.finished) return;
    if (this.mode === 'start') yield this.reject(`${this.name}: the file is empty`);
    else if (this.mode === 'single') yield this.decoded();
    else if (this.mode === 'array') {
      yield this.reject(`${this.name}: the file ends before the array is closed with ]${this.started ? ', inside this event' : ''}`);
    } else if (this.trailing) {
      yield this.reject(`${this.name}: text after the array's closing ]`);
    }
  }

  *fail(problem: string): Generator<InputEvent> {
    this.finished = true;
    yield this.reject(problem);
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size <= MAX_EVENT_BYTES && !this.tooDeep) this.parts.push(Buffer.from(bytes));
    else this.parts = [];
  }

  private finish(): InputEvent {
    let event: InputEvent;
    const where = `bytes ${this.start} to ${this.start + this.size} of the file`;
    if (!this.started) event = this.reject(`${this.name}: an empty element in the array (two commas, or a comma before ])`);
    else if (this.tooDeep) event = this.reject(`nested more than ${MAX_EVENT_DEPTH} levels deep (${where}); GuardDuty events nest about 10`);
    else if (this.size > MAX_EVENT_BYTES)
      event = this.reject(`event is ${this.size} bytes (${where}); EventBridge events are at most ${MAX_EVENT_BYTES} bytes (256 KB)`);
    else if (this.unbalanced) event = this.reject(`not valid JSON (a } without its {, ${where})`);
    else event = this.decoded();
    this.parts = [];
    this.size = 0;
    this.started = false;
    this.tooDeep = false;
    this.unbalanced = false;
    return event;
  }

  private decoded(): InputEvent {
    const bytes = Buffer.concat(this.parts);
    try {
      return { name: `${this.name}#${this.index++}`, text: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      this.index -= 1;
      return this.reject(`not valid UTF-8 (bytes ${this.start} to ${this.start + bytes.length} of the file): the event is not decoded by guesswork`);
    }
  }

  private reject(problem: string): InputEvent {
    return { name: `${this.name}#${this.index++}`, problem };
  }
}

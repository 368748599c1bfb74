/**
 * Stack traces that name the TypeScript line, as `--enable-source-maps` gives them, with each
 * bundle file's source map read when a stack trace first passes through that file, not when the
 * function starts. infra/bundling.ts injects this module into every handler bundle, ahead of the
 * bundle's other code, and writes the maps beside the files without naming them in the files.
 *
 * Why: Node reads, parses and indexes the map that a loaded file names in its last line while it
 * loads the file (the map's JSON and a pass over every character of the file), for every file,
 * whether or not a stack trace is ever printed: 13-18% of a handler's load time (issue #14). A
 * function that never fails never needs them.
 *
 * What is printed is what Node prints with the flag (Node 20's prepareStackTraceWithSourceMaps,
 * which test/integration/bundle-stack-traces.test.ts compares it with): only when the process
 * runs with source maps enabled (the functions' NODE_OPTIONS), the error's line, then each frame
 * mapped to its original file, line, column and name, and frames outside the bundle as V8 writes
 * them.
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module';
import { isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Each file's map, read once: null when the file has none (a Node internal, the Lambda runtime). */
const maps = new Map<string, SourceMap | null>();

function mapOf(fileName: string | null | undefined): SourceMap | null {
  if (!fileName?.startsWith('file://')) return null;
  let map = maps.get(fileName);
  if (map === undefined) {
    map = readMap(fileName);
    maps.set(fileName, map);
  }
  return map;
}

/** The map beside `fileUrl`, its sources made absolute as Node makes them (sourcesToAbsolute). */
function readMap(fileUrl: string): SourceMap | null {
  const mapUrl = `${fileUrl}.map`;
  try {
    const payload = JSON.parse(readFileSync(fileURLToPath(mapUrl), 'utf8')) as SourceMapPayload;
    payload.sources = payload.sources.map((s) => {
      const source = (payload.sourceRoot || '') + s;
      return isAbsolute(source) ? pathToFileURL(source).href : new URL(source, mapUrl).href;
    });
    payload.sourceRoot = '';
    return new SourceMap(payload);
  } catch {
    // No map, or one that cannot be read: the frame is printed as V8 writes it, as Node does.
    return null;
  }
}

/** Node's own errors (ERR_…) carry this symbol; their first line names the code, as Node prints it. */
function isNodeError(error: object): error is Error & { code: unknown } {
  for (let o: object | null = error; o; o = Object.getPrototypeOf(o))
    if (Object.getOwnPropertySymbols(o).some((s) => s.description === 'kIsNodeError')) return true;
  return false;
}

export function mappedStackTrace(error: Error, trace: NodeJS.CallSite[]): string {
  const first = isNodeError(error) ? `${error.name} [${error.code}]: ${error.message}` : Error.prototype.toString.call(error);
  if (trace.length === 0) return first;
  return (
    first +
    trace
      .map((site, i) => {
        try {
          const map = mapOf(site.getFileName() ?? site.getEvalOrigin());
          if (map) return `\n    at ${mappedFrame(map, site, trace[i + 1])}`;
        } catch {
          // As Node: a frame that cannot be mapped is printed as V8 writes it.
        }
        return `\n    at ${site}`;
      })
      .join('')
  );
}

/** One frame, mapped (Node 20's serializeJSStackFrame). */
function mappedFrame(map: SourceMap, site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string {
  const entry = find(map, site.getLineNumber(), site.getColumnNumber());
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined) return `${site}`;
  const name = originalName(map, site, caller);
  const source = entry.originalSource.startsWith('file://') ? fileURLToPath(entry.originalSource) : entry.originalSource;
  const fnName = site.getFunctionName() ?? site.getMethodName();
  const prefix = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
  const typeName = site.getTypeName();
  const asWritten = `${typeName !== null && typeName !== 'global' ? `${typeName}.` : ''}${fnName || '<anonymous>'}`;
  const shown = name && name !== asWritten ? name : asWritten;
  return `${prefix}${shown} (${source}:${entry.originalLine + 1}:${entry.originalColumn + 1})`;
}

/** The enclosing function's original name where the map keeps one, else the caller's call's (Node's getOriginalSymbolName). */
function originalName(map: SourceMap, site: NodeJS.CallSite, caller: NodeJS.CallSite | undefined): string | undefined {
  const enclosing = find(map, site.getEnclosingLineNumber(), site.getEnclosingColumnNumber());
  if (enclosing.name) return enclosing.name;
  if (caller && site.getFileName() === caller.getFileName()) return find(map, caller.getLineNumber(), caller.getColumnNumber()).name;
  return undefined;
}

/** The mapping at a stack trace's line and column (from 1; a map's from 0): empty where the map has none. Node's entries carry the original `name` too (its types leave it out). */
function find(map: SourceMap, line: number | null, column: number | null): Partial<SourceMapping & { name: string }> {
  return map.findEntry((line ?? 0) - 1, (column ?? 0) - 1);
}

if (process.sourceMapsEnabled) Error.prepareStackTrace = mappedStackTrace;

/**
 * Given to node with `--import` and `DATALEK_RECORD_LOADS=FILE`: appends the URL of every ES module
 * the process loads to FILE, one a line (node's module hooks, run off the main thread). The test of
 * what the built command loads at start reads it (test/unit/cli-build.test.ts).
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

let record = '';

export function initialize(file) {
  record = file;
}

export async function load(url, context, next) {
  if (url.startsWith('file:')) appendFileSync(record, `${url}\n`);
  return next(url, context);
}

if (isMainThread && process.env.DATALEK_RECORD_LOADS) register(import.meta.url, { data: process.env.DATALEK_RECORD_LOADS });

import { lstatSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { damagedEntryLines } from '../../core/entry-detail.js';
import { reportHtml } from '../../core/report-html.js';
import { measuresElsewhere } from '../../use-cases/queries.js';
import { type Context, loadIncident, oneOf, withBackend } from '../context.js';
import { UsageError } from '../errors.js';

export async function runReport(ctx: Context): Promise<number> {
  const file = ctx.flags.html;
  if (typeof file !== 'string' || !file) throw new UsageError('report needs --html FILE');
  const lang = oneOf('lang', ctx.flags.lang, ['nl', 'en'] as const, ctx.policy.language);
  refuseToReplace(file, ctx.flags.force === true);
  return withBackend(ctx, 'read', async (backend) => {
    const incident = await loadIncident(backend.store, ctx.positionals[0]);
    const timeline = await backend.store.getTimeline(incident.id);
    for (const line of damagedEntryLines(timeline)) ctx.io.err(line);
    const html = reportHtml(incident, timeline, ctx.policy, ctx.now(), lang, await measuresElsewhere(backend, incident), backend.drill);
    writeReport(file, html, ctx.flags.force === true);
    ctx.io.out(ctx.flags.json ? JSON.stringify({ incidentId: incident.id, file }) : `Wrote the report of ${incident.id} to ${file}.`);
    return 0;
  });
}

/** Something at FILE already: refused without --force (a symbolic link is never followed). */
function refuseToReplace(file: string, force: boolean): void {
  let existing: ReturnType<typeof lstatSync> | undefined;
  try {
    existing = lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code}`);
    return;
  }
  if (existing.isDirectory()) throw new UsageError(`cannot write ${file}: it is a folder`);
  if (!force) {
    throw new UsageError(
      `${file} exists${existing.isSymbolicLink() ? ' (a symbolic link, which is never followed)' : ''}: not overwritten; --force replaces it with the report`,
    );
  }
}

/**
 * The report holds the incident's personal data: its owner's only (0600), whatever the umask.
 * Without --force the file is created exclusively (O_EXCL never follows a symbolic link, even a
 * dangling one, and loses no race to a file created meanwhile). With --force the report is written
 * beside it and renamed over it: a symbolic link there is replaced, not written through.
 */
function writeReport(file: string, html: string, force: boolean): void {
  const fail = (err: unknown) => new UsageError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  if (!force) {
    try {
      writeFileSync(file, html, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists: not overwritten; --force replaces it with the report`);
      throw fail(err);
    }
    return;
  }
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temp, html, { flag: 'wx', mode: 0o600 });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw fail(err);
  }
}

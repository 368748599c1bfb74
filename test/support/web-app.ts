/**
 * The web app `datalek serve` builds (handlers/web/app.tsx), in this process, on a store and
 * policy a test prepares: `get` and `post` send a signed-in request (the session cookie, the
 * language cookie) through the Hono app itself; `appFor(port)` builds it for a real listener.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { PlanOnlyContainment } from '../../handlers/adapters/local/plan-only-containment.js';
import type { ConflictRetry } from '../../handlers/core/conflict-retry.js';
import type { Policy } from '../../handlers/core/policy.js';
import type { AuditSource } from '../../handlers/ports/audit-source.js';
import type { Containment } from '../../handlers/ports/containment.js';
import type { IncidentStore } from '../../handlers/ports/incident-store.js';
import { type Acknowledger, acknowledgeInStore } from '../../handlers/use-cases/actions.js';
import { createWebApp } from '../../handlers/web/app.js';
import { newSession, sessionCookieName } from '../../handlers/web/security.js';
import { ROOT } from './cli.js';

export const WEB_PORT = 8733;
const HOST = `127.0.0.1:${WEB_PORT}`;

export function inProcessWebApp(deps: {
  store: IncidentStore;
  policy: Policy;
  now: () => string;
  actor?: string;
  audit?: AuditSource;
  conflictRetry?: ConflictRetry;
  /** How the ack form acknowledges. @default in the store, as `serve` on the embedded store */
  acknowledge?: Acknowledger;
  /** What the Release and Contain again forms act through. @default plan-only, as on the embedded store */
  containment?: Containment;
  /** Where `serve` writes its log lines (its stderr). @default none */
  log?: (line: string) => void;
  /** The drill mark of the store, as `serve` passes it for a drill copy. @default none (a real store) */
  drill?: { from: string; at: string } | null;
  /** The acknowledgement link key: with it the signed link pages are served too. @default none */
  linkKey?: () => Promise<Buffer>;
}) {
  const session = newSession();
  const appFor = (port: number) =>
    createWebApp({
      ...deps,
      containment: deps.containment ?? new PlanOnlyContainment(),
      acknowledge: deps.acknowledge ?? acknowledgeInStore(deps),
      actor: deps.actor ?? 'A. de Vries',
      target: 'local',
      live: false,
      session,
      hosts: [`127.0.0.1:${port}`],
      port,
      runbooksDir: join(ROOT, 'runbooks'),
    });
  const app = appFor(WEB_PORT);
  const headers = (lang: 'nl' | 'en') => ({ host: HOST, cookie: `${sessionCookieName(WEB_PORT)}=${session.token}; datalek_lang=${lang}` });
  return {
    session,
    appFor,
    get: (path: string, lang: 'nl' | 'en' = 'nl') => app.request(`http://${HOST}${path}`, { headers: headers(lang) }),
    post: (path: string, fields: Record<string, string>, lang: 'nl' | 'en' = 'nl') =>
      app.request(`http://${HOST}${path}`, {
        method: 'POST',
        headers: { ...headers(lang), origin: `http://${HOST}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }),
  };
}

/**
 * The in-process web app behind a real listener on 127.0.0.1, for a browser: `signIn` is the URL
 * that sets the session cookie and opens `path`; `close` stops it.
 */
export async function listenInProcess(web: ReturnType<typeof inProcessWebApp>) {
  let served: ReturnType<typeof createWebApp> | undefined;
  const server = createAdaptorServer({
    fetch: (request, env) => (served ? served.fetch(request, env) : new Response('starting', { status: 503 })),
    hostname: '127.0.0.1',
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  served = web.appFor(port);
  return {
    signIn: (path: string) => `http://127.0.0.1:${port}${path}${path.includes('?') ? '&' : '?'}token=${web.session.token}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * The session cookie stays with the page (W4): a browser sends a cookie to every port of the host
 * it was set on, so a page served on 127.0.0.1 handed the FG's session to any other local service
 * she opened there (a development server, a notebook). `datalek serve` listens on a loopback
 * address of its own: Chromium, signed in with the printed URL, sends the cookie to no service on
 * 127.0.0.1 or `localhost`, and a link sent from this machine (127.0.0.1) still works.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_AVAILABLE, type FileBrowser, launchChromium } from '../support/browser.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { request, type Served, startServe } from '../support/serve.js';

describe.skipIf(!CHROMIUM_AVAILABLE)('the session cookie in a browser', () => {
  let dir: string;
  let store: string;
  let served: Served;
  let browser: FileBrowser;
  let other: Server;
  /** The path of the link in the page the replay sent (to 127.0.0.1:8733, where links from this machine point). */
  let linkPath: string;
  /** The Cookie headers the other local service received. */
  const received: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-cookie-'));
    store = join(dir, 'store');
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify(findingEvent({ id: 'cookie', severity: 8.5, createdAt: new Date().toISOString() })));
    // On the machine's clock: a link's page judges its expiry by it.
    const replayed = await spawnCli(['replay', event, '--store', store]);
    linkPath = /http:\/\/127\.0\.0\.1:8733(\/ack\/\S+)/.exec(replayed.stderr)?.[1] as string;
    served = await startServe(['--store', store, '--by', 'A. de Vries']);
    // Another local service, as a developer runs one: on 127.0.0.1, on every path.
    other = createServer((req, res) => {
      received.push(req.headers.cookie ?? '');
      res.end('<!doctype html><title>other</title>');
    });
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await new Promise((resolve) => other?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the session cookie to no other service on 127.0.0.1 or localhost', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(served.url);
    expect(page.url()).toBe(`${served.origin}/`);
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.name)).toContain(`datalek_session_${served.port}`);
    const port = (other.address() as AddressInfo).port;
    for (const host of ['127.0.0.1', 'localhost']) await page.goto(`http://${host}:${port}/`);
    expect(received.length).toBeGreaterThanOrEqual(2);
    for (const cookie of received) expect(cookie).not.toContain(served.token);
    await context.close();
  });

  it('serves on 127.0.0.1 only the links sent from this machine, never the session', async () => {
    const local = { host: '127.0.0.1', port: served.port };
    const signIn = await request(local, `/?token=${served.token}`);
    expect(signIn.status).toBe(403);
    expect(signIn.headers['set-cookie']).toBeUndefined();
    expect(signIn.body).toContain('Dit adres dient alleen de links');
    // The link in the page: its page answers there, with its button.
    expect(linkPath).toMatch(/^\/ack\//);
    const link = await request(local, `${linkPath}?lang=en`);
    expect(link.status).toBe(200);
    expect(link.body).toContain('<form');
  });
});

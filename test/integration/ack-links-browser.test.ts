/**
 * The acknowledgement link as the on-call engineer woken at 3 a.m. meets it: on a phone's screen,
 * with JavaScript off, in headless Chromium. It fits the screen, passes axe-core without a serious
 * or critical violation, and acknowledges in two taps: open the link, press the button.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_AVAILABLE, type FileBrowser, launchChromium, seriousViolations } from '../support/browser.js';
import { spawnCli } from '../support/cli.js';
import { findingEvent } from '../support/events.js';
import { type Served, startServe } from '../support/serve.js';

/** Minutes from two minutes ago (on the minute): a link ends by the machine's clock too (review5 A1). */
const MINUTE = 60_000;
const BASE = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
const at = (minutes: number) => new Date(BASE + minutes * MINUTE).toISOString();

describe.skipIf(!CHROMIUM_AVAILABLE)('the acknowledgement link on a phone', () => {
  let dir: string;
  let store: string;
  let served: Served;
  let browser: FileBrowser;
  let incidentId: string;
  let link: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datalek-phone-'));
    store = join(dir, 'store');
    const event = (name: string) => {
      const file = join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(findingEvent({ id: name, severity: 9.2, instanceId: `i-0${name}`, createdAt: at(-5) })));
      return file;
    };
    // `serve` needs a store: the first replay makes it.
    await spawnCli(['replay', event('first'), '--store', store, '--now', at(0), '--json']);
    served = await startServe(['--store', store, '--now', at(2)]);
    // The page of the second incident, sent with its link pointing at this server.
    const replayed = await spawnCli(['replay', event('phone'), '--store', store, '--now', at(1)], { DATALEK_LINK_URL: served.origin });
    incidentId = /dl-[0-9a-f]{32}/.exec(replayed.stdout)?.[0] ?? '';
    link = /(http:\S+\/ack\/\S+)/.exec(replayed.stderr)?.[1] ?? '';
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('opens without JavaScript, fits a phone, passes axe, and acknowledges with one press', async () => {
    expect(link).toMatch(/\/ack\//);
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, javaScriptEnabled: false, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/.test(m.text())) refused.push(m.text());
    });
    await page.goto(link);
    expect(await page.title()).toBe('Incident oppakken · datalek');
    // Against the layout viewport (360 px): a phone zooms out to show what overflows, so innerWidth would grow with it.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    const button = page.getByRole('button', { name: 'Ik pak het op' });
    expect(await button.isVisible()).toBe(true);
    // The style sheet is served with the link, under the same Content-Security-Policy.
    expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(29, 78, 216)');
    expect(refused).toEqual([]);
    // axe-core needs a script engine: the same page, opened in a phone context that has one (the page itself has no script).
    const checking = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true });
    const checked = await checking.newPage();
    await checked.goto(link);
    expect(await seriousViolations(checked)).toEqual([]);
    await checking.close();

    await page.getByLabel('Uw naam (niet verplicht)').fill('Anna');
    await button.click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toBe('Opgepakt. De escalatie stopt; de AP-termijn loopt door.');
    // Against the layout viewport (360 px): a phone zooms out to show what overflows, so innerWidth would grow with it.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth)).toBe(true);
    await context.close();

    const shown = JSON.parse((await spawnCli(['show', incidentId, '--store', store, '--json'])).stdout);
    expect(shown.acknowledgedBy).toBe('Anna (from the page to on-call, round 1)');
  });
});

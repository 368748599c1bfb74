import { existsSync } from 'node:fs';

/** Debian's Chromium, driven headless; a browser download cannot work on the build machines. */
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_FOUND = existsSync(CHROMIUM);

/** The flags every headless run takes: no sandbox (containers), no network of its own, no sync. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

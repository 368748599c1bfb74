/**
 * zod for every schema under handlers/: its tree-shakable build (`zod/mini`), so that a Lambda
 * bundle carries only the checks used (tens of kilobytes, where the classic build is 450 KB
 * whatever is used), with the English messages the classic build sets up by itself. Errors shown
 * to people are built from these messages (core/finding.ts `describeIssue`, the policy's and the
 * config's). Import it as a namespace (`import * as z`) and use its members by name, so that the
 * bundler can leave out the rest.
 */

import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

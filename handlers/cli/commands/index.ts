/** Every CLI command, in the order `datalek --help` lists them. A new command is one file and one line here. */
import type { Command } from '../context.js';
import { ackCommand } from './ack.js';
import { adoptCommand } from './adopt.js';
import { anchorCommand } from './anchor.js';
import { assessCommand } from './assess.js';
import { closeCommand } from './close.js';
import { containCommand } from './contain.js';
import { containedCommand } from './contained.js';
import { coverageCommand } from './coverage.js';
import { draftCommand } from './draft.js';
import { drillCommand } from './drill.js';
import { factsCommand } from './facts.js';
import { messagesCommand } from './messages.js';
import { minimiseCommand } from './minimise.js';
import { notDoneCommand } from './not-done.js';
import { noticeCommand } from './notice.js';
import { openCommand } from './open.js';
import { registerCommand } from './register.js';
import { releaseCommand } from './release.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { reportedCommand } from './reported.js';
import { serveCommand } from './serve.js';
import { setupCommand } from './setup.js';
import { showCommand } from './show.js';
import { statusCommand } from './status.js';
import { subjectsCommand } from './subjects.js';
import { sweepCommand } from './sweep.js';
import { verifyCommand } from './verify.js';

export const COMMANDS: Command[] = [
  replayCommand,
  statusCommand,
  showCommand,
  ackCommand,
  sweepCommand,
  releaseCommand,
  containCommand,
  containedCommand,
  notDoneCommand,
  messagesCommand,
  verifyCommand,
  anchorCommand,
  drillCommand,
  adoptCommand,
  serveCommand,
  setupCommand,
  coverageCommand,
  openCommand,
  assessCommand,
  factsCommand,
  draftCommand,
  noticeCommand,
  reportedCommand,
  subjectsCommand,
  closeCommand,
  registerCommand,
  reportCommand,
  minimiseCommand,
];

/**
 * Every `tracelane` command, in the order `--help` lists them. Each command lives in its own
 * file and exports a `register(program)` function; add new commands here.
 */
import type { Command } from 'commander';
import { registerEvents } from './events.js';
import { registerInfo } from './info.js';
import { registerRecord } from './record.js';
import { registerReport } from './report.js';
import { registerSpans } from './spans.js';
import { registerLocks } from './locks.js';
import { registerCallstack } from './callstack.js';
import { registerThreads } from './threads.js';
import { registerCpu } from './cpu.js';
import { registerSched } from './sched.js';
import { registerBlocking } from './blocking.js';
import { registerSyscalls } from './syscalls.js';
import { registerIrq } from './irq.js';
import { registerState } from './state.js';

export const COMMANDS: ((program: Command) => void)[] = [
  registerReport,registerEvents, registerInfo, registerRecord, registerSpans, registerLocks, registerCallstack, registerThreads, registerCpu, registerSched, registerBlocking, registerSyscalls, registerIrq, registerState];

/**
 * Every `tracelane` command, in the order `--help` lists them. Each command lives in its own
 * file and exports a `register(program)` function; add new commands here.
 */
import type { Command } from 'commander';
import { registerEvents } from './events.js';
import { registerInfo } from './info.js';

export const COMMANDS: ((program: Command) => void)[] = [registerEvents, registerInfo];

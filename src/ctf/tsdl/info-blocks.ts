/**
 * The blocks that declare no field types: `env` (free key/values, order kept), `clock`
 * (spec §8) and `callsite` (information only).
 */
import type { Block, TypeStatement } from './ast.js';
import { readBlock } from './block-entries.js';
import type { Callsite, ClockClass } from '../model.js';
import type { TsdlSource } from './source.js';
import { booleanValue, signedValue, textValue, unsignedValue, uuidValue } from './values.js';

interface InfoContext {
  readonly source: TsdlSource;
  readonly warnings: string[];
  /** Runs a type declaration written inside the block (legal, if useless, in these blocks). */
  readonly declare: (statement: TypeStatement) => void;
}

/** Adds the block's entries to `env`: integers as bigint, strings and bare words as strings. */
export function readEnv(ctx: InfoContext, block: Block, env: Map<string, string | bigint>): void {
  const { source, warnings } = ctx;
  readBlock(source, warnings, block, {
    declare: ctx.declare,
    repeatable: true,
    attribute: ({ name, value, at }) => {
      if (env.has(name)) warnings.push(source.warning(`environment entry '${name}' given twice: the last value is kept`, at));
      env.set(name, value.kind === 'integer' ? value.value : textValue(source, value, `environment entry '${name}'`));
      return true;
    },
  });
}

export function readClock(ctx: InfoContext, block: Block): ClockClass {
  const { source, warnings } = ctx;
  let name: string | undefined;
  const clock: ClockClass = { name: '', frequency: 1_000_000_000n, offsetSeconds: 0n, offsetCycles: 0n, absolute: false };
  readBlock(source, warnings, block, {
    declare: ctx.declare,
    attribute: ({ name: attribute, value }) => {
      switch (attribute) {
        case 'name':
          name = textValue(source, value, 'clock name');
          return true;
        case 'uuid':
          clock.uuid = uuidValue(source, value, 'clock uuid').text;
          return true;
        case 'description':
          clock.description = textValue(source, value, 'clock description');
          return true;
        case 'freq':
          clock.frequency = unsignedValue(source, value, 'clock freq');
          if (clock.frequency === 0n) throw source.error('clock freq must not be 0', value.at);
          return true;
        case 'precision':
          clock.precision = unsignedValue(source, value, 'clock precision');
          return true;
        case 'offset_s':
          clock.offsetSeconds = signedValue(source, value, 'clock offset_s');
          return true;
        case 'offset':
          clock.offsetCycles = signedValue(source, value, 'clock offset');
          return true;
        case 'absolute':
          clock.absolute = booleanValue(source, value, 'clock absolute');
          return true;
        default:
          return false;
      }
    },
  });
  if (name === undefined) throw source.error("clock without 'name'", block.at);
  clock.name = name;
  return clock;
}

export function readCallsite(ctx: InfoContext, block: Block): Callsite {
  const { source, warnings } = ctx;
  const callsite: Callsite = { name: '', func: '', file: '', line: 0n, ip: 0n };
  readBlock(source, warnings, block, {
    declare: ctx.declare,
    attribute: ({ name, value }) => {
      switch (name) {
        case 'name':
        case 'func':
        case 'file':
          callsite[name] = textValue(source, value, `callsite ${name}`);
          return true;
        case 'line':
        case 'ip':
          callsite[name] = unsignedValue(source, value, `callsite ${name}`);
          return true;
        default:
          return false;
      }
    },
  });
  return callsite;
}

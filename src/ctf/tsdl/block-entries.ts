/**
 * Reading the entries of a `trace`/`env`/`clock`/`stream`/`event`/`callsite` block: type
 * declarations go to the block's scope, attributes (`=`) and scope types (`:=`) to the block's
 * handlers. A known name given twice is an error, an unknown one a warning (as in babeltrace).
 */
import type { Attribute, Block, TypeAssignment, TypeStatement } from './ast.js';
import type { TsdlSource } from './source.js';

export interface BlockHandlers {
  /** Handles `name = value;`; returns false when the name is unknown. */
  attribute(entry: Attribute): boolean;
  /** Handles `name := type;`; returns false when the name is unknown. */
  type?(entry: TypeAssignment): boolean;
  declare(statement: TypeStatement): void;
  /** Names may repeat (the environment handles repeats itself). */
  repeatable?: boolean;
}

export function readBlock(source: TsdlSource, warnings: string[], block: Block, handlers: BlockHandlers): void {
  const seen: string[] = [];
  for (const entry of block.entries) {
    if (entry.kind !== 'attribute' && entry.kind !== 'type-assignment') {
      handlers.declare(entry);
      continue;
    }
    if (!handlers.repeatable && seen.includes(entry.name)) {
      throw source.error(`duplicate '${entry.name}' in ${block.block} block`, entry.at);
    }
    const known = entry.kind === 'attribute' ? handlers.attribute(entry) : (handlers.type?.(entry) ?? false);
    if (known) {
      seen.push(entry.name);
    } else {
      const form = entry.kind === 'attribute' ? '=' : ':=';
      warnings.push(source.warning(`unknown entry '${entry.name} ${form}' in ${block.block} block ignored`, entry.at));
    }
  }
}

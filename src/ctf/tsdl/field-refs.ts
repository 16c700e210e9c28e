/**
 * Variant tags and sequence lengths as model `FieldRef`s, and where each one was written.
 *
 * Absolute references start with a dynamic-scope prefix (spec §7.3.2); anything else is
 * relative and left for the decoder's resolver, which knows where the field ends up.
 */
import type { FieldPath } from './ast.js';
import type { FieldRef, ScopeName } from '../model.js';
import type { TsdlSource } from './source.js';

const SCOPE_PREFIXES: readonly { parts: readonly string[]; origin: ScopeName }[] = [
  { parts: ['trace', 'packet', 'header'], origin: 'packet-header' },
  { parts: ['stream', 'packet', 'context'], origin: 'packet-context' },
  { parts: ['stream', 'event', 'header'], origin: 'event-header' },
  { parts: ['stream', 'event', 'context'], origin: 'event-common-context' },
  { parts: ['event', 'context'], origin: 'event-specific-context' },
  { parts: ['event', 'fields'], origin: 'event-payload' },
];

/** Words that can only start an absolute path (they are keywords, never field names). */
const SCOPE_WORDS: ReadonlySet<string> = new Set(['trace', 'stream', 'event', 'env']);

/** Positions of references for messages, and which ones were written in a nested typedef. */
export class RefRegistry {
  private readonly positions = new WeakMap<FieldRef, number>();
  private readonly lexical = new WeakSet<FieldRef>();

  register(ref: FieldRef, at: number, lexical: boolean): FieldRef {
    this.positions.set(ref, at);
    if (lexical) this.lexical.add(ref);
    return ref;
  }

  at(ref: FieldRef): number {
    return this.positions.get(ref) ?? 0;
  }

  /**
   * A reference made inside a typedef/typealias that is itself inside a struct or variant
   * body: per spec §4.2.2 it resolves from where the typedef is written, not from where the
   * type is used, so a check at the use site could look at the wrong field.
   */
  isLexical(ref: FieldRef): boolean {
    return this.lexical.has(ref);
  }
}

/** `FieldRef` of a written path; `what` names it in errors ("variant tag", "sequence length"). */
export function fieldRefOf(source: TsdlSource, path: FieldPath, what: string): FieldRef {
  const text = path.parts.join('.');
  for (const prefix of SCOPE_PREFIXES) {
    if (prefix.parts.every((part, i) => path.parts[i] === part)) {
      const rest = path.parts.slice(prefix.parts.length);
      if (rest.length === 0) throw source.error(`${what} '${text}' names a whole scope, not a field`, path.at);
      return { origin: prefix.origin, path: rest, text };
    }
  }
  if (SCOPE_WORDS.has(path.parts[0]!)) {
    throw source.error(`${what} '${text}' does not start with a known scope (trace.packet.header, stream.packet.context, stream.event.header, stream.event.context, event.context, event.fields)`, path.at);
  }
  return { path: path.parts, text };
}

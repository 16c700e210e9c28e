/**
 * Best-effort check of variant tags and sequence lengths, so that metadata the decoder could
 * never use fails at parse time (ctf-testsuite variant-tag-type-*, variant-string-fields,
 * babeltrace fail/invalid-*-field-class):
 *
 *   - a tag must be an enumeration, and some option of the variant must match one of its labels;
 *   - a length must be an unsigned integer (or an enumeration with an unsigned container).
 *
 * References are looked up like the decoder will: relative ones among the fields declared
 * before, from the innermost enclosing struct outwards, then in the scopes decoded earlier;
 * absolute ones from their scope root. Declarations are checked on their own (a reference that
 * leaves them is skipped: it depends on where the type is used); scope types are checked with
 * their whole context, where a reference that leads nowhere is an error too. The decoder's
 * resolver stays the authority on exact positions (a target must precede its user, etc.).
 */
import type { EnumClass, FieldClass, FieldRef, ScopeName, SequenceClass, StructClass, VariantClass, VariantOption } from '../model.js';
import type { RefRegistry } from './field-refs.js';
import type { TypeTemplate } from './scopes.js';
import type { TsdlSource } from './source.js';

export interface RefCheckContext {
  readonly source: TsdlSource;
  readonly refs: RefRegistry;
}

/** What surrounds a scope type: the roots of the scopes decoded before it, nearest first. */
export interface ScopeContext {
  earlier: StructClass[];
  roots: Partial<Record<ScopeName, StructClass>>;
}

interface Frame {
  struct: StructClass;
  /** Index of the member being visited: only members before it are visible. */
  index: number;
}

const KIND_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  enum: 'an enumeration',
  float: 'a floating point number',
  string: 'a string',
  struct: 'a struct',
  variant: 'a variant',
  array: 'an array',
  sequence: 'a sequence',
};

function kindName(fc: FieldClass): string {
  return KIND_NAMES[fc.kind] ?? fc.kind;
}

export function checkFieldRefs(type: TypeTemplate, ctx: RefCheckContext, scope?: ScopeContext): void {
  const checker = new RefChecker(ctx, scope);
  if (type.kind === 'untagged-variant') {
    for (const option of type.options) checker.visit(option.type);
  } else {
    checker.visit(type);
  }
}

class RefChecker {
  private readonly frames: Frame[] = [];

  constructor(
    private readonly ctx: RefCheckContext,
    private readonly scope?: ScopeContext,
  ) {}

  visit(fc: FieldClass): void {
    switch (fc.kind) {
      case 'struct':
        for (let i = 0; i < fc.members.length; i++) {
          this.frames.push({ struct: fc, index: i });
          this.visit(fc.members[i]!.type);
          this.frames.pop();
        }
        return;
      case 'variant':
        this.checkTag(fc);
        for (const option of fc.options) this.visit(option.type);
        return;
      case 'array':
        this.visit(fc.element);
        return;
      case 'sequence':
        this.checkLength(fc);
        this.visit(fc.element);
        return;
      default:
        return;
    }
  }

  private checkTag(variant: VariantClass): void {
    const target = this.target(variant.tag, 'variant tag');
    if (!target) return;
    const { source } = this.ctx;
    const at = this.ctx.refs.at(variant.tag);
    if (target.kind !== 'enum') {
      throw source.error(`variant tag '${variant.tag.text}' must be an enumeration, not ${kindName(target)}`, at);
    }
    if (variant.options.length > 0 && !variant.options.some((option) => hasLabelFor(target, option))) {
      throw source.error(`no option of the variant matches a label of its tag '${variant.tag.text}'`, at);
    }
  }

  private checkLength(sequence: SequenceClass): void {
    const target = this.target(sequence.length, 'sequence length');
    if (!target) return;
    const int = target.kind === 'int' ? target : target.kind === 'enum' ? target.container : undefined;
    if (!int || int.signed) {
      const what = int ? 'a signed integer' : kindName(target);
      throw this.ctx.source.error(`sequence length '${sequence.length.text}' must be an unsigned integer, not ${what}`, this.ctx.refs.at(sequence.length));
    }
  }

  /** The referenced field class; undefined when it cannot (or need not) be checked here. */
  private target(ref: FieldRef, what: string): FieldClass | undefined {
    if (this.ctx.refs.isLexical(ref)) return undefined;
    const found = ref.origin === undefined ? this.resolveRelative(ref.path) : this.resolveAbsolute(ref.origin, ref.path);
    if (!found && this.scope) {
      throw this.ctx.source.error(`${what} '${ref.text}' does not name an earlier field`, this.ctx.refs.at(ref));
    }
    return found;
  }

  private resolveRelative(path: string[]): FieldClass | undefined {
    const [first, ...rest] = path;
    for (let f = this.frames.length - 1; f >= 0; f--) {
      const { struct, index } = this.frames[f]!;
      for (let i = index - 1; i >= 0; i--) {
        const member = struct.members[i]!;
        if (member.origName === first) return descend(member.type, rest);
      }
    }
    for (const root of this.scope?.earlier ?? []) {
      const member = root.members.find((m) => m.origName === first);
      if (member) return descend(member.type, rest);
    }
    return undefined;
  }

  private resolveAbsolute(origin: ScopeName, path: string[]): FieldClass | undefined {
    const root = this.scope?.roots[origin];
    return root ? descend(root, path) : undefined;
  }
}

function descend(from: FieldClass, path: string[]): FieldClass | undefined {
  let current: FieldClass | undefined = from;
  for (const part of path) {
    if (current?.kind !== 'struct') return undefined;
    current = current.members.find((m) => m.origName === part)?.type;
  }
  return current;
}

/** The option a label selects: equal to its name as written or without one leading underscore. */
function hasLabelFor(tag: EnumClass, option: VariantOption): boolean {
  return tag.mappings.some(({ label }) => label === option.origName || label === option.name);
}

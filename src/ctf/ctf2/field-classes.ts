/**
 * CTF 2 field classes (JSON objects, or names of field class aliases) → model field classes.
 *
 * Alias uses are expanded where they appear, so relative field locations inside an alias resolve
 * from the place of use. Problems inside an alias are reported against the alias' own fragment.
 */
import type {
  ArrayClass,
  BitArrayClass,
  BlobClass,
  BoolClass,
  ByteOrder,
  CountedStringClass,
  EnumClass,
  EnumMapping,
  FieldClass,
  FieldRef,
  FieldRole,
  FloatClass,
  IntegerClass,
  Member,
  OptionalClass,
  Range,
  ScopeName,
  SequenceClass,
  StringClass,
  StructClass,
  VariantClass,
  VariantOption,
} from '../model.js';
import { describeValue, ObjectReader, objectReader } from './context.js';
import type { FragmentContext } from './context.js';
import { JsonArray, JsonObject } from './json.js';
import type { Located } from './json.js';
import { fieldRefOf } from './locations.js';
import type { LocationSite } from './locations.js';
import { alignmentOf } from '../alignment.js';

/** Where the field class being built sits. */
export interface FieldSite {
  scope: ScopeName;
  /** Member names from the scope root to this field ([] for the scope's root structure). */
  fieldPath: readonly string[];
}

const UINT_ROLES: readonly FieldRole[] = [
  'packet-magic-number',
  'data-stream-class-id',
  'data-stream-id',
  'packet-total-length',
  'packet-content-length',
  'default-clock-timestamp',
  'packet-end-default-clock-timestamp',
  'discarded-event-record-counter-snapshot',
  'packet-sequence-number',
  'event-record-class-id',
];
const BLOB_ROLES: readonly FieldRole[] = ['metadata-stream-uuid'];
const ALL_ROLES: readonly string[] = [...UINT_ROLES, ...BLOB_ROLES];

const BYTE_ORDERS: Readonly<Record<string, ByteOrder>> = { 'little-endian': 'le', 'big-endian': 'be' };

interface Alias {
  json: Located;
  ctx: FragmentContext;
}

interface FixedLayout {
  size: number;
  align: number;
  byteOrder: ByteOrder;
}

export class FieldClassBuilder {
  private readonly aliases = new Map<string, Alias>();
  private readonly expanding = new Set<string>();
  /** Arrays whose `minimum-alignment` exceeds their element's: the structure holding them pads. */
  private readonly arrayMinAlign = new WeakMap<FieldClass, number>();
  /** Where each built field class was written, for errors found after building. */
  private readonly offsets = new WeakMap<FieldClass, number>();

  addAlias(ctx: FragmentContext, name: string, json: Located, at: number): void {
    if (this.aliases.has(name)) ctx.error(`duplicate field class alias "${name}"`, at);
    this.aliases.set(name, { json, ctx });
  }

  /** A scope's field class: must be a structure. */
  scope(ctx: FragmentContext, json: Located, scope: ScopeName): StructClass {
    const fc = this.build(ctx, json, { scope, fieldPath: [] });
    if (fc.kind !== 'struct') ctx.error(`the ${scope} field class must be a structure, not ${fc.kind}`, json.offset);
    return fc;
  }

  build(ctx: FragmentContext, json: Located, site: FieldSite): FieldClass {
    const v = json.value;
    if (typeof v === 'string') return this.expandAlias(ctx, v, json.offset, site);
    if (!(v instanceof JsonObject)) ctx.error(`${describeSite(site)}: expecting a field class, not ${describeValue(v)}`, json.offset);
    const typeProp = v.props.get('type');
    if (!typeProp) ctx.error(`${describeSite(site)}: field class without "type"`, v.offset);
    if (typeof typeProp.value !== 'string') ctx.error(`${describeSite(site)}: field class "type" must be a string`, typeProp.offset);
    const type = typeProp.value;
    const r = new ObjectReader(ctx, v, `${describeSite(site)} (${type})`, `${type} field class`);
    r.ignore('attributes');
    const fc = this.byType(r, type, site, typeProp.offset);
    r.finish();
    this.offsets.set(fc, v.offset);
    if (fc.kind === 'enum') this.offsets.set(fc.container, v.offset);
    return fc;
  }

  /** Text offset of the JSON a field class was built from. */
  offsetOf(fc: FieldClass): number | undefined {
    return this.offsets.get(fc);
  }

  private expandAlias(ctx: FragmentContext, name: string, at: number, site: FieldSite): FieldClass {
    const alias = this.aliases.get(name);
    if (!alias) ctx.error(`${describeSite(site)}: unknown field class alias "${name}"`, at);
    if (this.expanding.has(name)) ctx.error(`field class alias "${name}" refers to itself`, at);
    this.expanding.add(name);
    try {
      return this.build(alias.ctx, alias.json, site);
    } finally {
      this.expanding.delete(name);
    }
  }

  private byType(r: ObjectReader, type: string, site: FieldSite, typeAt: number): FieldClass {
    switch (type) {
      case 'fixed-length-bit-array':
        return this.bitArray(r, false);
      case 'fixed-length-bit-map':
        return this.bitArray(r, true);
      case 'fixed-length-boolean':
        return { kind: 'bool', ...this.fixedLayout(r) } satisfies BoolClass;
      case 'fixed-length-unsigned-integer':
      case 'fixed-length-signed-integer':
        return this.integer(r, type.includes('-signed-'), false);
      case 'variable-length-unsigned-integer':
      case 'variable-length-signed-integer':
        return this.integer(r, type.includes('-signed-'), true);
      case 'fixed-length-unsigned-enumeration':
      case 'fixed-length-signed-enumeration':
      case 'variable-length-unsigned-enumeration':
      case 'variable-length-signed-enumeration':
        // Pre-final draft: enumerations were their own types; now integers with `mappings`.
        r.ctx.draft(`"${type}" field classes`);
        return this.integer(r, type.includes('-signed-'), type.startsWith('variable-'));
      case 'fixed-length-floating-point-number':
        return this.float(r);
      case 'null-terminated-string':
        return { kind: 'string', encoding: this.encoding(r) } satisfies StringClass;
      case 'static-length-string':
        return { kind: 'counted-string', length: r.count('length'), encoding: this.encoding(r) } satisfies CountedStringClass;
      case 'dynamic-length-string':
        return { kind: 'counted-string', length: this.location(r, 'length-field-location', site), encoding: this.encoding(r) } satisfies CountedStringClass;
      case 'static-length-blob':
        return this.blob(r, r.count('length'));
      case 'dynamic-length-blob':
        return this.blob(r, this.location(r, 'length-field-location', site));
      case 'structure':
        return this.structure(r, site);
      case 'static-length-array':
        return this.array(r, site, r.count('length'));
      case 'dynamic-length-array':
        return this.array(r, site, this.location(r, 'length-field-location', site));
      case 'optional':
        return this.optional(r, site);
      case 'variant':
        return this.variant(r, site);
      default:
        return r.ctx.unsupported(`${describeSite(site)}: unknown field class type "${type}"`, typeAt);
    }
  }

  private fixedLayout(r: ObjectReader): FixedLayout {
    const size = r.count('length', 1);
    if (size > 64) r.ctx.unsupported(`${r.what}: ${size}-bit fields are not supported (at most 64 bits)`, r.get('length')!.offset);
    r.required('byte-order');
    const byteOrder = BYTE_ORDERS[r.optChoice('byte-order', ['little-endian', 'big-endian'])!]!;
    // The model (like CTF 1.8) knows only the natural bit order of each byte order.
    const bitOrder = r.optChoice('bit-order', ['first-to-last', 'last-to-first']);
    const natural = byteOrder === 'le' ? 'first-to-last' : 'last-to-first';
    if (bitOrder !== undefined && bitOrder !== natural) {
      r.ctx.unsupported(`${r.what}: bit order ${bitOrder} with ${byteOrder === 'le' ? 'little' : 'big'}-endian byte order`, r.get('bit-order')!.offset);
    }
    return { size, align: r.optAlignment('alignment') ?? 1, byteOrder };
  }

  private bitArray(r: ObjectReader, isMap: boolean): BitArrayClass {
    const layout = this.fixedLayout(r);
    const fc: BitArrayClass = { kind: 'bit-array', ...layout };
    if (!isMap) return fc;
    r.required('flags');
    const flags = r.optObject('flags')!;
    if (flags.value.props.size === 0) r.ctx.error(`${r.what}: "flags" must not be empty`, flags.offset);
    fc.flags = [...flags.value.props].map(([name, prop]) => {
      const bits = this.ranges(r.ctx, prop, `${r.what}: flag "${name}"`, false);
      for (const [, hi] of bits) {
        if (hi >= BigInt(layout.size)) r.ctx.error(`${r.what}: flag "${name}" names bit ${hi} of a ${layout.size}-bit field`, prop.offset);
      }
      return { name, bits };
    });
    return fc;
  }

  private integer(r: ObjectReader, signed: boolean, variableLength: boolean): IntegerClass | EnumClass {
    const base = r.optCount('preferred-display-base');
    if (base !== undefined && base !== 2 && base !== 8 && base !== 10 && base !== 16) {
      r.ctx.error(`${r.what}: preferred-display-base must be 2, 8, 10 or 16, not ${base}`, r.get('preferred-display-base')!.offset);
    }
    let int: IntegerClass;
    if (variableLength) {
      // LEB128-like bytes: byte aligned, little-endian groups; `size` caps the value at 64 bits.
      int = { kind: 'int', size: 64, align: 8, signed, byteOrder: 'le', base: 10, encoding: 'none', variableLength: true };
    } else {
      int = { kind: 'int', ...this.fixedLayout(r), signed, base: 10, encoding: 'none' };
    }
    if (base !== undefined) int.base = base;
    if (!signed) {
      const roles = this.roles(r, UINT_ROLES);
      if (roles) int.roles = roles;
    }
    const mappings = this.mappings(r, signed);
    return mappings ? { kind: 'enum', container: int, mappings } : int;
  }

  private float(r: ObjectReader): FloatClass {
    const layout = this.fixedLayout(r);
    if (layout.size !== 32 && layout.size !== 64) {
      r.ctx.unsupported(`${r.what}: ${layout.size}-bit floating point numbers are not supported (32 or 64 only)`, r.get('length')!.offset);
    }
    return { kind: 'float', size: layout.size, align: layout.align, byteOrder: layout.byteOrder };
  }

  private encoding(r: ObjectReader): 'utf8' {
    const enc = r.optChoice('encoding', ['utf-8', 'utf-16be', 'utf-16le', 'utf-32be', 'utf-32le']);
    if (enc !== undefined && enc !== 'utf-8') r.ctx.unsupported(`${r.what}: ${enc} strings are not supported`, r.get('encoding')!.offset);
    return 'utf8';
  }

  private blob(r: ObjectReader, length: number | FieldRef): BlobClass {
    const fc: BlobClass = { kind: 'blob', length, mediaType: r.optString('media-type') ?? 'application/octet-stream' };
    if (typeof length === 'number') {
      const roles = this.roles(r, BLOB_ROLES);
      if (roles) fc.roles = roles;
    }
    return fc;
  }

  private structure(r: ObjectReader, site: FieldSite): StructClass {
    const align = r.optAlignment('minimum-alignment') ?? 1;
    const members: Member[] = [];
    const paddings: Member[] = [];
    const names = new Set<string>();
    for (const item of r.optArray('member-classes')?.value.items ?? []) {
      const mr = objectReader(r.ctx, item, `${r.what}: member class`, 'structure member class');
      const name = mr.string('name');
      if (names.has(name)) r.ctx.error(`${r.what}: duplicate member "${name}"`, mr.get('name')!.offset);
      names.add(name);
      const type = this.build(r.ctx, mr.required('field-class'), { scope: site.scope, fieldPath: [...site.fieldPath, name] });
      mr.ignore('attributes');
      mr.finish();
      const minAlign = this.arrayMinAlign.get(type);
      if (minAlign !== undefined) {
        // What LTTng's TSDL writer does for the same array: an empty aligned structure before it.
        const padding: Member = { name: `${name}_padding`, origName: `${name}_padding`, type: { kind: 'struct', members: [], align: minAlign } };
        members.push(padding);
        paddings.push(padding);
        r.ctx.warn(
          'array "minimum-alignment" emulated by an empty aligned structure member before the array (the model has no array alignment)',
          item.offset,
          'array-minimum-alignment',
        );
      }
      members.push({ name, origName: name, type });
    }
    for (const p of paddings) {
      while (members.some((m) => m !== p && m.name === p.name)) p.name = p.origName = `${p.name}_`;
    }
    return { kind: 'struct', members, align };
  }

  private array(r: ObjectReader, site: FieldSite, length: number | FieldRef): ArrayClass | SequenceClass {
    const elementJson = r.required('element-field-class');
    const element = this.build(r.ctx, elementJson, site);
    this.refusePendingAlignment(r, element, elementJson.offset);
    const fc: ArrayClass | SequenceClass =
      typeof length === 'number' ? { kind: 'array', element, length } : { kind: 'sequence', element, length };
    const minAlign = r.optAlignment('minimum-alignment');
    if (minAlign !== undefined && minAlign > alignmentOf(element)) this.arrayMinAlign.set(fc, minAlign);
    return fc;
  }

  private optional(r: ObjectReader, site: FieldSite): OptionalClass {
    const json = r.required('field-class');
    const type = this.build(r.ctx, json, site);
    this.refusePendingAlignment(r, type, json.offset);
    const fc: OptionalClass = { kind: 'optional', type, selector: this.location(r, 'selector-field-location', site) };
    const ranges = r.get('selector-field-ranges');
    if (ranges) fc.ranges = this.ranges(r.ctx, ranges, `${r.what}: selector-field-ranges`, true);
    return fc;
  }

  private variant(r: ObjectReader, site: FieldSite): VariantClass {
    const tag = this.location(r, 'selector-field-location', site);
    const optionsJson = r.array('options');
    if (optionsJson.value.items.length === 0) r.ctx.error(`${r.what}: a variant needs at least one option`, optionsJson.offset);
    const names = new Set<string>();
    const options = optionsJson.value.items.map((item): VariantOption => {
      const or = objectReader(r.ctx, item, `${r.what}: option`, 'variant option');
      const name = or.optString('name') ?? '';
      if (name !== '' && names.has(name)) r.ctx.error(`${r.what}: duplicate option "${name}"`, or.get('name')!.offset);
      names.add(name);
      const json = or.required('field-class');
      const type = this.build(r.ctx, json, site);
      this.refusePendingAlignment(r, type, json.offset);
      const ranges = this.ranges(r.ctx, or.required('selector-field-ranges'), `${r.what}: option "${name}" selector-field-ranges`, true);
      or.ignore('attributes');
      or.finish();
      return { name, origName: name, type, ranges };
    });
    return { kind: 'variant', tag, options };
  }

  private location(r: ObjectReader, key: string, site: FieldSite): FieldRef {
    const locSite: LocationSite = { scope: site.scope, structPath: site.fieldPath.slice(0, -1) };
    return fieldRefOf(r.ctx, r.required(key), locSite, `${r.what}: ${key}`);
  }

  /** An aligned array anywhere but directly in a structure cannot be padded in the model. */
  private refusePendingAlignment(r: ObjectReader, fc: FieldClass, at: number): void {
    if (this.arrayMinAlign.has(fc)) {
      r.ctx.unsupported(`${r.what}: an array with "minimum-alignment" larger than its element's alignment is only supported as a structure member`, at);
    }
  }

  private roles(r: ObjectReader, allowed: readonly FieldRole[]): FieldRole[] | undefined {
    const prop = r.optArray('roles');
    if (!prop) return undefined;
    const roles: FieldRole[] = [];
    for (const item of prop.value.items) {
      const role = item.value;
      if (typeof role !== 'string') r.ctx.error(`${r.what}: roles: expecting a string, not ${describeValue(role)}`, item.offset);
      if ((allowed as readonly string[]).includes(role)) {
        if (!roles.includes(role as FieldRole)) roles.push(role as FieldRole);
      } else if (ALL_ROLES.includes(role)) {
        r.ctx.error(`${r.what}: role "${role}" does not apply to this field class`, item.offset);
      } else {
        r.ctx.warn(`${r.what}: unknown role "${role}" ignored`, item.offset, `role:${role}`);
      }
    }
    return roles.length > 0 ? roles : undefined;
  }

  private mappings(r: ObjectReader, signed: boolean): EnumMapping[] | undefined {
    const prop = r.optObject('mappings');
    if (!prop || prop.value.props.size === 0) return undefined;
    // Labels keep the order they are written in (the JSON parser keeps key order).
    return [...prop.value.props].map(([label, p]) => ({
      label,
      ranges: this.ranges(r.ctx, p, `${r.what}: mapping "${label}"`, signed),
    }));
  }

  /** An integer range set: `[[lo, hi], …]`, non-empty, each `lo <= hi`. */
  private ranges(ctx: FragmentContext, prop: Located, what: string, allowNegative: boolean): Range[] {
    const v = prop.value;
    if (!(v instanceof JsonArray) || v.items.length === 0) ctx.error(`${what}: expecting a non-empty array of [lower, upper] ranges`, prop.offset);
    return v.items.map((item): Range => {
      const pair = item.value;
      if (!(pair instanceof JsonArray) || pair.items.length !== 2) ctx.error(`${what}: expecting a [lower, upper] pair`, item.offset);
      const [lo, hi] = pair.items.map((bound) => {
        if (typeof bound.value !== 'bigint') ctx.error(`${what}: expecting an integer, not ${describeValue(bound.value)}`, bound.offset);
        if (!allowNegative && bound.value < 0n) ctx.error(`${what}: negative value ${bound.value}`, bound.offset);
        return bound.value;
      }) as [bigint, bigint];
      if (lo > hi) ctx.error(`${what}: lower bound ${lo} is greater than upper bound ${hi}`, item.offset);
      return [lo, hi];
    });
  }
}

function describeSite(site: FieldSite): string {
  return site.fieldPath.length === 0 ? `${site.scope} field class` : `field "${site.fieldPath.join('.')}"`;
}


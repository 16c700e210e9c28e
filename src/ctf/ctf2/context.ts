/**
 * Where a CTF 2 metadata problem is: every error and warning names the fragment (index, type,
 * starting byte) and the byte of the offending JSON value, in the metadata *file*.
 */
import { TraceFormatError, UnsupportedTraceError } from '../../util/errors.js';
import { JsonArray, JsonObject, jsonTypeName } from './json.js';
import type { JsonValue, Located } from './json.js';

/** The metadata text being parsed and how its offsets map back to the file. */
export interface MetadataSource {
  file: string;
  /** The JSON text sequence (de-packetized if it was packetized). */
  text: Uint8Array;
  /** Offset in the file of an offset in `text` (they differ only for packetized metadata). */
  fileOffset(textOffset: number): number;
}

/** Warnings of one parse, with repeated ones (same key) reported once. */
export class Warnings {
  readonly list: string[] = [];
  private readonly seen = new Set<string>();
  /** Pre-final draft syntax met, reported as one warning at the end. */
  readonly draftFeatures = new Set<string>();

  add(message: string, key?: string): void {
    if (key !== undefined) {
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    this.list.push(message);
  }
}

/** One fragment of the metadata stream: the frame of every error and warning about it. */
export class FragmentContext {
  constructor(
    readonly source: MetadataSource,
    readonly warnings: Warnings,
    /** 0-based position of the fragment in the sequence. */
    readonly index: number,
    /** Text offset of the fragment's record separator. */
    readonly offset: number,
    readonly type: string,
  ) {}

  private describe(message: string): string {
    const start = this.source.fileOffset(this.offset);
    return `fragment #${this.index} (${this.type}, starting at byte ${start}): ${message}`;
  }

  error(message: string, at: number = this.offset): never {
    throw new TraceFormatError(this.describe(message), this.source.file, this.source.fileOffset(at));
  }

  unsupported(message: string, at: number = this.offset): never {
    throw new UnsupportedTraceError(this.describe(message), this.source.file, this.source.fileOffset(at));
  }

  /** `key` set: only the first warning with that key is kept. */
  warn(message: string, at: number = this.offset, key?: string): void {
    const where = `${this.source.file} at byte ${this.source.fileOffset(at)}`;
    this.warnings.add(`${where}: ${this.describe(message)}`, key);
  }

  draft(feature: string): void {
    this.warnings.draftFeatures.add(feature);
  }
}

/**
 * Reads the properties of one JSON object, checking their types. Properties never read are
 * reported by `finish()` as ignored, so that new or misspelled properties do not go unnoticed.
 */
export class ObjectReader {
  private readonly read = new Set<string>(['type']);

  constructor(
    readonly ctx: FragmentContext,
    readonly obj: JsonObject,
    /** What the object is, for messages: "clock-class fragment", `field "a.b" (structure)`. */
    readonly what: string,
    /** Its kind, to report an unknown property once per kind of object rather than per object. */
    private readonly kind: string = what,
  ) {}

  get offset(): number {
    return this.obj.offset;
  }

  has(key: string): boolean {
    return this.obj.props.has(key);
  }

  /** The raw property, marked as read. */
  get(key: string): Located | undefined {
    this.read.add(key);
    return this.obj.props.get(key);
  }

  /** Marks properties that are understood but have no place in the model. */
  ignore(...keys: string[]): void {
    for (const key of keys) this.read.add(key);
  }

  required(key: string): Located {
    const prop = this.get(key);
    if (!prop) this.ctx.error(`${this.what}: missing required property "${key}"`, this.obj.offset);
    return prop;
  }

  fail(key: string, prop: Located, expected: string): never {
    this.ctx.error(`${this.what}: property "${key}": expecting ${expected}, not ${describeValue(prop.value)}`, prop.offset);
  }

  optString(key: string): string | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    if (typeof prop.value !== 'string') this.fail(key, prop, 'a string');
    return prop.value;
  }

  string(key: string): string {
    const prop = this.required(key);
    if (typeof prop.value !== 'string') this.fail(key, prop, 'a string');
    return prop.value;
  }

  optInteger(key: string): bigint | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    if (typeof prop.value !== 'bigint') this.fail(key, prop, 'an integer');
    return prop.value;
  }

  optUnsigned(key: string): bigint | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    if (typeof prop.value !== 'bigint' || prop.value < 0n) this.fail(key, prop, 'an unsigned integer');
    return prop.value;
  }

  unsigned(key: string): bigint {
    this.required(key);
    return this.optUnsigned(key)!;
  }

  /** An unsigned integer small enough for a `number` (lengths, alignments). */
  optCount(key: string, min = 0): number | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    const v = prop.value;
    if (typeof v !== 'bigint' || v < BigInt(min) || v > 0x7fffffffn) {
      this.fail(key, prop, min > 0 ? `an integer from ${min} to 2^31-1` : 'an unsigned integer below 2^31');
    }
    return Number(v);
  }

  count(key: string, min = 0): number {
    this.required(key);
    return this.optCount(key, min)!;
  }

  /** An alignment in bits: a power of two. */
  optAlignment(key: string): number | undefined {
    const n = this.optCount(key, 1);
    if (n !== undefined && (n & (n - 1)) !== 0) {
      this.ctx.error(`${this.what}: property "${key}": ${n} is not a power of two`, this.get(key)!.offset);
    }
    return n;
  }

  optObject(key: string): Located<JsonObject> | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    if (!(prop.value instanceof JsonObject)) this.fail(key, prop, 'an object');
    return prop as Located<JsonObject>;
  }

  optArray(key: string): Located<JsonArray> | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    if (!(prop.value instanceof JsonArray)) this.fail(key, prop, 'an array');
    return prop as Located<JsonArray>;
  }

  array(key: string): Located<JsonArray> {
    this.required(key);
    return this.optArray(key)!;
  }

  /** One of `choices`. */
  optChoice<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const prop = this.get(key);
    if (!prop) return undefined;
    if (typeof prop.value !== 'string' || !(choices as readonly string[]).includes(prop.value)) {
      this.fail(key, prop, `one of ${choices.map((c) => `"${c}"`).join(', ')}`);
    }
    return prop.value as T;
  }

  /** Warns about the properties nobody read. */
  finish(): void {
    for (const [key, prop] of this.obj.props) {
      if (this.read.has(key)) continue;
      if (key === 'extensions') {
        // Extension data only means something for an extension declared in the preamble,
        // and a declared extension already stopped the parse.
        if (prop.value instanceof JsonObject && prop.value.props.size === 0) continue;
        this.ctx.warn(`${this.what}: extension data ignored`, prop.offset, `extensions:${this.kind}`);
        continue;
      }
      this.ctx.warn(`${this.what}: unknown property "${key}" ignored (not reported again for this kind of object)`, prop.offset, `property:${this.kind}:${key}`);
    }
  }
}

export function describeValue(value: JsonValue): string {
  if (typeof value === 'string') return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean') return `${jsonTypeName(value)} ${value}`;
  return jsonTypeName(value);
}

/** An object in the JSON (an array item, an option), or an error naming what was expected. */
export function objectReader(ctx: FragmentContext, item: Located, what: string, kind?: string): ObjectReader {
  if (!(item.value instanceof JsonObject)) ctx.error(`${what}: expecting an object, not ${describeValue(item.value)}`, item.offset);
  return new ObjectReader(ctx, item.value, what, kind);
}

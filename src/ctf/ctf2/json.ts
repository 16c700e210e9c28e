/**
 * A small JSON parser for CTF 2 metadata fragments, working on UTF-8 bytes.
 *
 * `JSON.parse` does not fit: integers beyond 2^53 (64-bit enum ranges, clock offsets) lose
 * precision, object keys that look like array indices ("1", "23") are reordered although mapping
 * labels keep their order of declaration, and errors carry no byte offset. Here integers are
 * `bigint`, other numbers `number`, objects keep their key order, and every value remembers the
 * byte offset it starts at.
 */

export type JsonValue = JsonObject | JsonArray | string | bigint | number | boolean | null;

/** A value and the byte offset (in the parsed text) where it starts. */
export interface Located<T extends JsonValue = JsonValue> {
  value: T;
  offset: number;
}

export class JsonObject {
  readonly kind = 'object';
  constructor(
    readonly offset: number,
    /** Properties in the order written. */
    readonly props: Map<string, Located>,
  ) {}
}

export class JsonArray {
  readonly kind = 'array';
  constructor(
    readonly offset: number,
    readonly items: Located[],
  ) {}
}

/** A syntax error at a byte offset of the parsed text. */
export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

export function jsonTypeName(value: JsonValue): string {
  if (value === null) return 'null';
  if (value instanceof JsonObject) return 'object';
  if (value instanceof JsonArray) return 'array';
  if (typeof value === 'bigint') return 'integer';
  return typeof value;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

// Nesting limit: field classes nest, but nothing real comes close; a bound keeps a hostile
// metadata file from overflowing the stack.
const MAX_DEPTH = 512;

/** Parses exactly one JSON value in `bytes[start, end)` (surrounding whitespace allowed). */
export function parseJson(bytes: Uint8Array, start = 0, end = bytes.length): Located {
  const parser = new Parser(bytes, start, end);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos < end) throw new JsonSyntaxError('unexpected data after the JSON value', parser.pos);
  return value;
}

class Parser {
  pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  skipWhitespace(): void {
    while (this.pos < this.end) {
      const c = this.bytes[this.pos]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
      this.pos++;
    }
  }

  value(depth: number): Located {
    if (depth > MAX_DEPTH) throw new JsonSyntaxError('JSON nested too deeply', this.pos);
    const offset = this.pos;
    const c = this.peek();
    switch (c) {
      case 0x7b: // {
        return { value: this.object(depth), offset };
      case 0x5b: // [
        return { value: this.array(depth), offset };
      case 0x22: // "
        return { value: this.string(), offset };
      case 0x74: // t
        this.literal('true');
        return { value: true, offset };
      case 0x66: // f
        this.literal('false');
        return { value: false, offset };
      case 0x6e: // n
        this.literal('null');
        return { value: null, offset };
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return { value: this.number(), offset };
        throw this.unexpected();
    }
  }

  private peek(): number {
    if (this.pos >= this.end) throw new JsonSyntaxError('unexpected end of JSON text', this.pos);
    return this.bytes[this.pos]!;
  }

  private unexpected(): JsonSyntaxError {
    const c = this.bytes[this.pos]!;
    const shown = c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
    return new JsonSyntaxError(`unexpected ${shown} in JSON text`, this.pos);
  }

  private expect(c: number): void {
    if (this.peek() !== c) throw this.unexpected();
    this.pos++;
  }

  private literal(word: string): void {
    for (let i = 0; i < word.length; i++) this.expect(word.charCodeAt(i));
  }

  private object(depth: number): JsonObject {
    const offset = this.pos;
    const props = new Map<string, Located>();
    this.pos++;
    this.skipWhitespace();
    if (this.peek() === 0x7d) {
      this.pos++;
      return new JsonObject(offset, props);
    }
    while (true) {
      this.skipWhitespace();
      const keyOffset = this.pos;
      if (this.peek() !== 0x22) throw this.unexpected();
      const key = this.string();
      if (props.has(key)) throw new JsonSyntaxError(`duplicate property "${key}"`, keyOffset);
      this.skipWhitespace();
      this.expect(0x3a); // :
      this.skipWhitespace();
      props.set(key, this.value(depth + 1));
      this.skipWhitespace();
      if (this.peek() === 0x2c) {
        this.pos++;
        continue;
      }
      this.expect(0x7d);
      return new JsonObject(offset, props);
    }
  }

  private array(depth: number): JsonArray {
    const offset = this.pos;
    const items: Located[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.peek() === 0x5d) {
      this.pos++;
      return new JsonArray(offset, items);
    }
    while (true) {
      this.skipWhitespace();
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      if (this.peek() === 0x2c) {
        this.pos++;
        continue;
      }
      this.expect(0x5d);
      return new JsonArray(offset, items);
    }
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    let ascii = true;
    while (true) {
      const c = this.peek();
      if (c === 0x22) {
        out += this.decodeRun(runStart, this.pos, ascii);
        this.pos++;
        return out;
      }
      if (c < 0x20) throw new JsonSyntaxError('control character in JSON string', this.pos);
      if (c === 0x5c) {
        out += this.decodeRun(runStart, this.pos, ascii);
        out += this.escape();
        runStart = this.pos;
        ascii = true;
        continue;
      }
      if (c >= 0x80) ascii = false;
      this.pos++;
    }
  }

  private decodeRun(from: number, to: number, ascii: boolean): string {
    if (from === to) return '';
    // Metadata strings are short and nearly all ASCII: skip the UTF-8 decoder for them.
    if (ascii && to - from <= 1024) return String.fromCharCode.apply(null, this.bytes.subarray(from, to) as unknown as number[]);
    try {
      return utf8.decode(this.bytes.subarray(from, to));
    } catch {
      throw new JsonSyntaxError('invalid UTF-8 in JSON string', from);
    }
  }

  private escape(): string {
    const at = this.pos;
    this.pos++; // backslash
    const c = this.peek();
    this.pos++;
    switch (c) {
      case 0x22:
        return '"';
      case 0x5c:
        return '\\';
      case 0x2f:
        return '/';
      case 0x62:
        return '\b';
      case 0x66:
        return '\f';
      case 0x6e:
        return '\n';
      case 0x72:
        return '\r';
      case 0x74:
        return '\t';
      case 0x75: {
        // \uXXXX; surrogate pairs arrive as two escapes and join in the JS string.
        let code = 0;
        for (let i = 0; i < 4; i++) {
          const digit = hexDigit(this.peek());
          if (digit < 0) throw new JsonSyntaxError('invalid \\u escape in JSON string', at);
          code = code * 16 + digit;
          this.pos++;
        }
        return String.fromCharCode(code);
      }
      default:
        throw new JsonSyntaxError('invalid escape in JSON string', at);
    }
  }

  private number(): bigint | number {
    const start = this.pos;
    let integral = true;
    if (this.bytes[this.pos] === 0x2d) this.pos++;
    if (this.peek() === 0x30) {
      this.pos++;
    } else {
      if (!isDigit(this.peek())) throw this.unexpected();
      this.digits();
    }
    if (this.pos < this.end && this.bytes[this.pos] === 0x2e) {
      integral = false;
      this.pos++;
      if (!isDigit(this.peek())) throw this.unexpected();
      this.digits();
    }
    if (this.pos < this.end && (this.bytes[this.pos] === 0x65 || this.bytes[this.pos] === 0x45)) {
      integral = false;
      this.pos++;
      const sign = this.peek();
      if (sign === 0x2b || sign === 0x2d) this.pos++;
      if (!isDigit(this.peek())) throw this.unexpected();
      this.digits();
    }
    if (!integral) return Number(utf8.decode(this.bytes.subarray(start, this.pos)));
    // Up to 15 digits fit a double exactly: parse those without building a string.
    if (this.pos - start <= 15) {
      let n = 0;
      for (let i = start; i < this.pos; i++) if (this.bytes[i] !== 0x2d) n = n * 10 + (this.bytes[i]! - 0x30);
      return BigInt(this.bytes[start] === 0x2d ? -n : n);
    }
    return BigInt(utf8.decode(this.bytes.subarray(start, this.pos)));
  }

  private digits(): void {
    while (this.pos < this.end && isDigit(this.bytes[this.pos]!)) this.pos++;
  }
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * Query-string parameters of the JSON API, checked: a bad value is an `HttpError` (400) with a
 * one-line message naming the parameter, never an exception of the server itself.
 */

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export class Params {
  constructor(private readonly q: URLSearchParams) {}

  has(name: string): boolean {
    return this.q.has(name) && this.q.get(name) !== '';
  }

  str(name: string): string | undefined {
    const v = this.q.get(name);
    return v === null || v === '' ? undefined : v;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined) throw new HttpError(400, `missing parameter "${name}"`);
    return v;
  }

  /** A finite number (relative ns, fractions allowed). */
  num(name: string, fallback?: number): number {
    const v = this.str(name);
    if (v === undefined) {
      if (fallback === undefined) throw new HttpError(400, `missing parameter "${name}"`);
      return fallback;
    }
    const n = Number(v);
    if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v) || !Number.isFinite(n)) throw new HttpError(400, `parameter "${name}" is not a number: "${clip(v)}"`);
    return n;
  }

  /** A whole number within [min, max]. */
  int(name: string, fallback: number | undefined, min: number, max: number): number {
    const v = this.str(name);
    if (v === undefined) {
      if (fallback === undefined) throw new HttpError(400, `missing parameter "${name}"`);
      return fallback;
    }
    if (!/^-?\d+$/.test(v)) throw new HttpError(400, `parameter "${name}" is not a whole number: "${clip(v)}"`);
    const n = Number(v);
    if (n < min || n > max) throw new HttpError(400, `parameter "${name}" must be between ${min} and ${max}, not ${clip(v)}`);
    return n;
  }

  /** A comma-separated list of whole numbers (undefined when absent). */
  ints(name: string, max = 2000): number[] | undefined {
    const v = this.str(name);
    if (v === undefined) return undefined;
    const parts = v.split(',').filter((p) => p !== '');
    if (parts.length > max) throw new HttpError(400, `parameter "${name}" lists more than ${max} values`);
    return parts.map((p) => {
      if (!/^-?\d+$/.test(p)) throw new HttpError(400, `parameter "${name}" holds "${clip(p)}", not a whole number`);
      return Number(p);
    });
  }

  oneOf<T extends string>(name: string, values: readonly T[], fallback?: T): T {
    const v = this.str(name);
    if (v === undefined) {
      if (fallback === undefined) throw new HttpError(400, `missing parameter "${name}" (one of ${values.join(', ')})`);
      return fallback;
    }
    if (!(values as readonly string[]).includes(v)) throw new HttpError(400, `parameter "${name}" must be one of ${values.join(', ')}, not "${clip(v)}"`);
    return v as T;
  }
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

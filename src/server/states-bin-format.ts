/**
 * The binary, columnar form of a `/api/states` answer (`format=bin`), shared by the server (which
 * writes it) and the page's data worker (which reads it): no JSON to write or parse, and every
 * column is a typed-array view of the one answer buffer (no copy). Little-endian throughout:
 *
 *   offset        type          content
 *   0             4 bytes       magic "TLSB"
 *   4             u32           version (1)
 *   8             u32           R: rows
 *   12            u32           N: runs, all rows together
 *   16, 24, 32    f64 × 3       begin, end, res (as in the JSON answer)
 *   40            i32 × R       row ids
 *   40 + 4R       i32 × R       runs per row (the runs of row k follow those of rows 0…k-1)
 *   P = 40 + 8R   f64 × N       start (whole ns)
 *   P + 8N        f64 × N       end (whole ns; JSON `t` + `d`)
 *   P + 16N       i32 × N       arg (JSON `a`)
 *   P + 20N       i32 × N       aux (JSON `x`)
 *   P + 24N       u8 × N        state (JSON `s`)
 *   P + 25N       u8 × N        mixed (JSON `m`)
 *
 * P is a multiple of 8, so each column is aligned for its type. This file has no imports: the
 * page's build compiles it too.
 */

export const STATES_BIN_MAGIC = 0x42534c54; // "TLSB" read as a little-endian u32
export const STATES_BIN_VERSION = 1;
export const STATES_BIN_HEADER = 40;

/** Bytes of an answer with `rows` rows and `runs` runs. */
export function statesBinSize(rows: number, runs: number): number {
  return STATES_BIN_HEADER + 8 * rows + 26 * runs;
}

/** One row of a decoded answer: views into the answer's buffer. */
export interface BinRow {
  id: number;
  n: number;
  start: Float64Array;
  end: Float64Array;
  state: Uint8Array;
  arg: Int32Array;
  aux: Int32Array;
  mixed: Uint8Array;
}

export interface BinStates {
  begin: number;
  end: number;
  res: number;
  rows: BinRow[];
}

/** Column views of an answer (throws on a buffer that is not one). */
export function decodeStatesBin(buf: ArrayBuffer, byteOffset = 0, byteLength = buf.byteLength - byteOffset): BinStates {
  if (byteOffset % 8 !== 0) throw new Error('states answer: buffer not aligned on 8 bytes');
  if (byteLength < STATES_BIN_HEADER) throw new Error('states answer: too short');
  const v = new DataView(buf, byteOffset, byteLength);
  if (v.getUint32(0, true) !== STATES_BIN_MAGIC) throw new Error('states answer: not the binary form (bad magic)');
  if (v.getUint32(4, true) !== STATES_BIN_VERSION) throw new Error(`states answer: unknown version ${v.getUint32(4, true)}`);
  const r = v.getUint32(8, true);
  const n = v.getUint32(12, true);
  if (byteLength !== statesBinSize(r, n)) throw new Error(`states answer: ${byteLength} bytes, expected ${statesBinSize(r, n)}`);
  const ids = new Int32Array(buf, byteOffset + STATES_BIN_HEADER, r);
  const counts = new Int32Array(buf, byteOffset + STATES_BIN_HEADER + 4 * r, r);
  const p = byteOffset + STATES_BIN_HEADER + 8 * r;
  const rows: BinRow[] = [];
  let o = 0;
  for (let k = 0; k < r; k++) {
    const c = counts[k]!;
    if (c < 0 || o + c > n) throw new Error('states answer: bad run counts');
    rows.push({
      id: ids[k]!,
      n: c,
      start: new Float64Array(buf, p + 8 * o, c),
      end: new Float64Array(buf, p + 8 * n + 8 * o, c),
      arg: new Int32Array(buf, p + 16 * n + 4 * o, c),
      aux: new Int32Array(buf, p + 20 * n + 4 * o, c),
      state: new Uint8Array(buf, p + 24 * n + o, c),
      mixed: new Uint8Array(buf, p + 25 * n + o, c),
    });
    o += c;
  }
  if (o !== n) throw new Error('states answer: run counts do not add up');
  return { begin: v.getFloat64(16, true), end: v.getFloat64(24, true), res: v.getFloat64(32, true), rows };
}

/**
 * CTF 2 traces against their CTF 1.8 twins (same data streams, metadata written in the other
 * syntax): the trace models must describe the same layout, modulo the expected differences that
 * `layoutSignature` folds, and:
 *   - clock offsets compare as total cycles (TSDL LTTng writes only cycles, CTF 2 seconds + cycles);
 *   - `absolute`: CTF 2 `origin: "unix-epoch"` sets it, the TSDL twins do not;
 *   - a precision missing on one side is not compared;
 *   - the stream's default clock: TSDL gets it later (meanings.ts), so it is compared when set.
 *
 * Each CTF 2 trace is checked against facts read by hand from its twin's TSDL text and, when the
 * TSDL front end (src/ctf/tsdl/) is there, against the model that front end makes of the twin,
 * roles included (after meanings.ts has given the CTF 1.8 side its roles).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assignMeanings } from '../meanings.js';
import type { ClockClass, FieldClass, TraceClass } from '../model.js';
import { parseCtf2 } from './index.js';
import { layoutSignature } from './layout-signature.js';
import { corpusDir } from './testing.js';

interface Twin {
  ctf2: string;
  tsdl: string;
  /** The final syntax gives no warning; the draft syntax exactly one. */
  draft: boolean;
}

const TWINS: Twin[] = [
  { ctf2: 'babeltrace/ctf2-twins/multi-domains/kernel', tsdl: 'babeltrace/ctf-traces/succeed/multi-domains/kernel', draft: false },
  { ctf2: 'babeltrace/ctf2-twins/trace-with-index', tsdl: 'babeltrace/ctf-traces/succeed/trace-with-index', draft: false },
  ...[
    'barectf-event-before-packet',
    'ev-disc-no-ts-begin-end',
    'lttng-crash',
    'lttng-event-after-packet',
    'meta-variant-no-underscore',
    'smalltrace',
    'succeed1',
    'trace-with-index',
  ].map((name) => ({ ctf2: `tracecompass/CTF2-7.0-${name}`, tsdl: `babeltrace/ctf-traces/succeed/${name}`, draft: name !== 'ev-disc-no-ts-begin-end' })),
];

/** What both front ends must agree on, flattened to comparable values. */
interface Summary {
  byteOrder: string;
  uuid: string | undefined;
  env: [string, string | bigint][];
  clocks: { name: string; frequency: bigint; uuid: string | undefined; description: string | undefined; offsetCycles: bigint }[];
  packetHeader: string;
  streams: {
    id: bigint;
    packetContext: string;
    eventHeader: string;
    eventContext: string;
    events: [id: bigint, name: string, logLevel: number | undefined, context: string, payload: string][];
  }[];
}

function summarize(trace: TraceClass): Summary {
  const sig = (fc: Parameters<typeof layoutSignature>[0]) => layoutSignature(fc, trace);
  return {
    byteOrder: trace.byteOrder,
    uuid: trace.uuid ? Buffer.from(trace.uuid).toString('hex') : undefined,
    env: [...trace.env].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    clocks: trace.clocks.map((c: ClockClass) => ({
      name: c.name,
      frequency: c.frequency,
      uuid: c.uuid,
      description: c.description,
      offsetCycles: c.offsetSeconds * c.frequency + c.offsetCycles,
    })),
    packetHeader: sig(trace.packetHeader),
    streams: [...trace.streams.values()].map((s) => ({
      id: s.id,
      packetContext: sig(s.packetContext),
      eventHeader: sig(s.eventHeader),
      eventContext: sig(s.eventContext),
      events: [...s.events.values()].map((e) => [e.id, e.name, e.logLevel, sig(e.context), sig(e.payload)] as Summary['streams'][number]['events'][number]),
    })),
  };
}

interface TsdlFrontEnd {
  parseTsdl(text: string, file: string): TraceClass;
  readMetadataText(bytes: Uint8Array, file: string): { text: string };
}

/** The TSDL front end, if it exists yet (it is written in parallel; imported by URL so this compiles without it). */
async function loadTsdl(): Promise<TsdlFrontEnd | undefined> {
  try {
    const index = (await import(new URL('../tsdl/index.js', import.meta.url).href)) as Partial<TsdlFrontEnd>;
    const packetized = (await import(new URL('../tsdl/packetized.js', import.meta.url).href)) as Partial<TsdlFrontEnd>;
    if (typeof index.parseTsdl !== 'function' || typeof packetized.readMetadataText !== 'function') return undefined;
    return { parseTsdl: index.parseTsdl, readMetadataText: packetized.readMetadataText };
  } catch {
    return undefined;
  }
}

const tsdl = await loadTsdl();

function parseTwin(corpus: string, twin: Twin): TraceClass {
  const file = join(corpus, twin.ctf2, 'metadata');
  return parseCtf2(readFileSync(file), file);
}

for (const twin of TWINS) {
  test(`CTF 2 ${twin.ctf2} has the layout read by hand from its CTF 1.8 twin`, (t) => {
    const corpus = corpusDir(t);
    if (!corpus) return;
    const ctf2 = parseTwin(corpus, twin);
    assert.equal(ctf2.warnings.length, twin.draft ? 1 : 0, ctf2.warnings.join('\n'));
    if (twin.draft) assert.match(ctf2.warnings[0]!, /pre-final CTF 2 draft syntax/);
    assert.deepEqual(summarize(ctf2), HAND_READ[twin.tsdl]);
  });

  test(`CTF 2 ${twin.ctf2} and its CTF 1.8 twin give the same model`, (t) => {
    const corpus = corpusDir(t);
    if (!corpus) return;
    if (!tsdl) {
      t.skip('no TSDL front end yet (src/ctf/tsdl/index.ts)');
      return;
    }
    const tsdlFile = join(corpus, twin.tsdl, 'metadata');
    const readTsdl = () => tsdl.parseTsdl(tsdl.readMetadataText(readFileSync(tsdlFile), tsdlFile).text, tsdlFile);
    const ctf2 = parseTwin(corpus, twin);
    const tsdlTrace = readTsdl();
    assert.deepEqual(summarize(ctf2), summarize(tsdlTrace));
    compareClockDetails(ctf2, tsdlTrace);
    // Roles: explicit in CTF 2, derived from names for CTF 1.8 (meanings.ts) — they must agree.
    assignMeanings(ctf2);
    assignMeanings(tsdlTrace);
    assert.deepEqual(rolesOf(ctf2), rolesOf(tsdlTrace));
  });
}

function compareClockDetails(ctf2: TraceClass, tsdlTrace: TraceClass): void {
  ctf2.clocks.forEach((c, i) => {
    const other = tsdlTrace.clocks[i]!;
    if (c.precision !== undefined && other.precision !== undefined) assert.equal(c.precision, other.precision);
  });
  for (const [id, s] of ctf2.streams) {
    const other = tsdlTrace.streams.get(id)!;
    if (other.defaultClock !== undefined) assert.equal(s.defaultClock, other.defaultClock);
  }
}

/**
 * `field.path=role+role` for every role-carrying integer of the packet and event headers and the
 * packet context, and each stream's clock. The TSDL packet header `uuid` is a byte array, which has
 * no roles in the model, so `metadata-stream-uuid` is left out.
 */
function rolesOf(trace: TraceClass): string[] {
  const out: string[] = [];
  const visit = (fc: FieldClass | undefined, path: string): void => {
    if (!fc) return;
    if (fc.kind === 'int' && fc.roles) out.push(`${path}=${fc.roles.join('+')}`);
    else if (fc.kind === 'enum') visit(fc.container, path);
    else if (fc.kind === 'struct') fc.members.forEach((m) => visit(m.type, `${path}.${m.name}`));
    else if (fc.kind === 'variant') fc.options.forEach((o) => visit(o.type, `${path}/${o.name}`));
  };
  visit(trace.packetHeader, 'packet-header');
  for (const s of trace.streams.values()) {
    visit(s.packetContext, `stream ${s.id} packet-context`);
    visit(s.eventHeader, `stream ${s.id} event-header`);
    out.push(`stream ${s.id} clock=${s.defaultClock ?? '-'}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Facts read from the twins' TSDL metadata (babeltrace/ctf-traces/succeed/*/metadata), in the
// layoutSignature notation: u32@8le = unsigned 32-bit, 8-bit aligned, little-endian; x16 = shown
// in hex; ~clock = mapped to that clock; {…}@8 = struct align(8); text[N] = text array.

const LTTNG_HEADER = '{magic:u32@8le,uuid:bytes[16],stream_id:u32@8le,stream_instance_id:u64@8le}';
const LTTNG_CONTEXT =
  '{timestamp_begin:u64@8le~monotonic,timestamp_end:u64@8le~monotonic,content_size:u64@8le,packet_size:u64@8le,' +
  'packet_seq_num:u64@8le,events_discarded:u64@8le,cpu_id:u32@8le}';
const LTTNG_LARGE_HEADER =
  '{id:enum<u16@8le>{compact=0..65534,extended=65535},v:variant<id>{compact:{timestamp:u32@8le~monotonic},' +
  'extended:{id:u32@8le,timestamp:u64@8le~monotonic}}}@8';
const LTTNG_COMPACT_HEADER =
  '{id:enum<u5@1le>{compact=0..30,extended=31},v:variant<id>{compact:{timestamp:u27@1le~monotonic},' +
  'extended:{id:u32@8le,timestamp:u64@8le~monotonic}}}@8';
const KERNEL_ENUM =
  'enum<s32@8le>{AUTO: EXPECT 0=0,AUTO: EXPECT 28=28,AUTO: EXPECT 304=304,RANGE: 101 TO 303=101..303,VALUE: 23=23,VALUE: 27=27}';
const KERNEL_PAYLOAD =
  '{intfield:s32@8le,intfield2:s32@8lex16,longfield:s64@8le,netintfield:s32@8be,netintfieldhex:s32@8bex16,' +
  'arrfield1:u64@8le[3],arrfield2:text[10],arrfield3:u32@8be[3],_seqfield1_length:u64@8le,seqfield1:s8@8le[_seqfield1_length],' +
  '_seqfield2_length:u64@8le,seqfield2:text[_seqfield2_length],_seqfield3_length:u64@8le,seqfield3:u32@8be[_seqfield3_length],' +
  '_seqfield4_length:u64@8le,seqfield4:s64@8le[_seqfield4_length],stringfield:string,stringfield2:string,' +
  '_bitfield_seq_length:u8@8le,bitfield_seq_padding:{}@8,bitfield_seq:u1@1le[_bitfield_seq_length],' +
  'bitfield_array_padding:{}@8,bitfield_array:u1@1le[192],' +
  ['enum0', 'enum23', 'enum27', 'enum28', 'enum202', 'enum304'].map((n) => `${n}:${KERNEL_ENUM}`).join(',') +
  '}';

function monotonic(uuid: string, offsetCycles: bigint): Summary['clocks'][number] {
  return { name: 'monotonic', frequency: 1000000000n, uuid, description: 'Monotonic Clock', offsetCycles };
}

function lttngUst(uuid: string, env: Summary['env'], clock: Summary['clocks'][number], event: Summary['streams'][number]['events'][number]): Summary {
  return {
    byteOrder: 'le',
    uuid,
    env,
    clocks: [clock],
    packetHeader: LTTNG_HEADER,
    streams: [{ id: 0n, packetContext: LTTNG_CONTEXT, eventHeader: LTTNG_LARGE_HEADER, eventContext: '-', events: [event] }],
  };
}

const UST_ENV = (hostname: string, minor: bigint): Summary['env'] => [
  ['domain', 'ust'],
  ['hostname', hostname],
  ['tracer_major', 2n],
  ['tracer_minor', minor],
  ['tracer_name', 'lttng-ust'],
];

const TRACE_WITH_INDEX = lttngUst(
  'e375faaf5a32401c86807957c204f064',
  UST_ENV('joraj-alpa', 11n),
  monotonic('88cba016-36e2-48c2-aff8-3e4b9aefb05c', 1564079206484157339n),
  [0n, 'sample_component:message', 4, '-', '{message:string}'],
);

const CURRENT_TEMP: Summary['streams'][number]['events'][number] = [0n, 'my_app:current_temp', 13, '-', '{temp:s32@8le,status:string}'];

const HAND_READ: Record<string, Summary> = {
  'babeltrace/ctf-traces/succeed/multi-domains/kernel': {
    byteOrder: 'le',
    uuid: '830f212977d5cb4e90cfb0754d8ce889',
    env: [
      ['domain', 'kernel'],
      ['hostname', 'joraj-alpa'],
      ['kernel_release', '4.15.0-43-generic'],
      ['kernel_version', '#46-Ubuntu SMP Thu Dec 6 14:45:28 UTC 2018'],
      ['sysname', 'Linux'],
      ['trace_buffering_scheme', 'global'],
      ['trace_creation_datetime', ''],
      ['trace_name', ''],
      ['tracer_major', 2n],
      ['tracer_minor', 11n],
      ['tracer_name', 'lttng-modules'],
      ['tracer_patchlevel', 0n],
    ],
    clocks: [monotonic('88cba016-36e2-48c2-aff8-3e4b9aefb05c', 1564079206484157378n)],
    packetHeader: LTTNG_HEADER,
    streams: [
      {
        id: 0n,
        packetContext: LTTNG_CONTEXT,
        eventHeader: LTTNG_COMPACT_HEADER,
        eventContext: '-',
        events: [[0n, 'lttng_test_filter_event', undefined, '-', KERNEL_PAYLOAD]],
      },
    ],
  },
  'babeltrace/ctf-traces/succeed/trace-with-index': TRACE_WITH_INDEX,
  'babeltrace/ctf-traces/succeed/lttng-crash': lttngUst(
    'a7055065938f439c818e975c13b30be2',
    UST_ENV('raton', 11n),
    monotonic('4d76db72-e40f-409e-ba30-532d309d5048', 1565056443054742594n),
    CURRENT_TEMP,
  ),
  'babeltrace/ctf-traces/succeed/lttng-event-after-packet': lttngUst(
    'e8680f63336b49999b6b080f1c1b9f7b',
    UST_ENV('raton', 10n),
    monotonic('4d76db72-e40f-409e-ba30-532d309d5048', 1565056443054742596n),
    CURRENT_TEMP,
  ),
  'babeltrace/ctf-traces/succeed/barectf-event-before-packet': {
    byteOrder: 'le',
    uuid: '437748de943511e983535254007c6857',
    env: [
      ['barectf_gen_date', '2019-06-21T11:00:09.758481'],
      ['domain', 'bare'],
      ['tracer_major', 2n],
      ['tracer_minor', 3n],
      ['tracer_name', 'barectf'],
      ['tracer_patch', 0n],
    ],
    clocks: [{ name: 'default', frequency: 1000000000n, uuid: undefined, description: undefined, offsetCycles: 1434072888000000000n }],
    packetHeader: '{magic:u32@32le,uuid:bytes[16],stream_id:u8@8le}',
    streams: [
      {
        id: 0n,
        packetContext:
          '{timestamp_begin:u64@64le~default,timestamp_end:u64@64le~default,packet_size:u32@32le,content_size:u32@32le,events_discarded:u32@32le}',
        eventHeader: '{timestamp:u64@64le~default,id:u16@16le}',
        eventContext: '-',
        events: [[0n, 'simple_uint32', 2, '-', '{value:u32@32le}']],
      },
    ],
  },
  'babeltrace/ctf-traces/succeed/ev-disc-no-ts-begin-end': {
    byteOrder: 'be',
    uuid: undefined,
    env: [],
    clocks: [],
    packetHeader: '-',
    streams: [{ id: 0n, packetContext: '{packet_size:u8@8be,events_discarded:u8@8be}', eventHeader: '-', eventContext: '-', events: [[0n, 'ev', undefined, '-', '{s:string}']] }],
  },
  'babeltrace/ctf-traces/succeed/meta-variant-no-underscore': {
    byteOrder: 'be',
    uuid: undefined,
    env: [],
    clocks: [],
    packetHeader: '-',
    streams: [
      {
        id: 0n,
        packetContext: '-',
        eventHeader: '-',
        eventContext: '-',
        events: [
          [0n, 'yo', undefined, '-', '{tag:enum<u8@8be>{COSSETTE=0,PELCHAT=1,VOISINE=2},var:variant<tag>{COSSETTE:string,PELCHAT:string,VOISINE:string}}'],
        ],
      },
    ],
  },
  'babeltrace/ctf-traces/succeed/smalltrace': {
    byteOrder: 'le',
    uuid: '2a6422d06cee11e08c08cb07d7b3a564',
    env: [],
    clocks: [],
    packetHeader: '{magic:u32@32lex16,uuid:bytes[16]}',
    streams: [{ id: 0n, packetContext: '-', eventHeader: '-', eventContext: '-', events: [[0n, 'string', undefined, '-', '{str:string}']] }],
  },
  'babeltrace/ctf-traces/succeed/succeed1': {
    byteOrder: 'le',
    uuid: '2a6422d06cee11e08c08cb07d7b3a564',
    env: [],
    clocks: [],
    packetHeader: '{magic:u32@32le,uuid:bytes[16]}',
    streams: [
      { id: 0n, packetContext: '{content_size:u32@32le,packet_size:u32@32le}', eventHeader: '-', eventContext: '-', events: [[0n, 'string', undefined, '-', '{str:string}']] },
    ],
  },
};

/**
 * TSDL syntax tree → `TraceClass`.
 *
 * Statements are visited by kind, in babeltrace's order, not in text order: the trace byte
 * order first (what `native` means everywhere), then `env`, `clock`, root type declarations,
 * `callsite`, `trace`, `stream` and `event` blocks. So an event may precede its stream in the
 * text, and root declarations may follow the blocks that use them.
 */
import type { Block, BlockKind, Metadata, TypeStatement } from './ast.js';
import { readBlock } from './block-entries.js';
import { RefRegistry } from './field-refs.js';
import { readCallsite, readClock, readEnv } from './info-blocks.js';
import type { ByteOrder, ClockClass, EventClass, StreamClass, StructClass, TraceClass } from '../model.js';
import { checkFieldRefs } from './ref-check.js';
import type { ScopeContext } from './ref-check.js';
import { DeclScope } from './scopes.js';
import type { TsdlSource } from './source.js';
import { TypeBuilder } from './type-builder.js';
import { byteOrderValue, smallUnsignedValue, unsignedValue, uuidValue } from './values.js';

/** What the metadata container says, to cross-check with the text (see `readMetadataText`). */
export interface TsdlOptions {
  /** The text came from metadata packets (which carry no `/* CTF 1.8` signature). */
  packetized?: boolean;
  /** UUID of the metadata packets. */
  uuid?: Uint8Array;
  /** Byte order of the metadata packet headers: must be the trace byte order. */
  byteOrder?: ByteOrder;
}

type BlocksByKind = Record<BlockKind, Block[]>;

export function metadataToModel(metadata: Metadata, source: TsdlSource, options: TsdlOptions = {}): TraceClass {
  return new ModelBuilder(metadata, source, options).build();
}

class ModelBuilder {
  private readonly warnings: string[] = [];
  private readonly blocks: BlocksByKind = { trace: [], env: [], clock: [], stream: [], event: [], callsite: [] };
  private readonly rootDeclarations: TypeStatement[] = [];
  private readonly root = new DeclScope();
  private readonly env = new Map<string, string | bigint>();
  private readonly clocks: ClockClass[] = [];
  private readonly clockNames = new Set<string>();
  private readonly streams = new Map<bigint, StreamClass>();
  private readonly refs = new RefRegistry();
  private types!: TypeBuilder;

  constructor(
    metadata: Metadata,
    private readonly source: TsdlSource,
    private readonly options: TsdlOptions,
  ) {
    for (const statement of metadata.statements) {
      if (statement.kind === 'block') this.blocks[statement.block].push(statement);
      else this.rootDeclarations.push(statement);
    }
  }

  build(): TraceClass {
    const { source } = this;
    this.checkSignature();
    const traceBlock = this.traceBlock();
    const byteOrder = this.traceByteOrder(traceBlock);
    this.types = new TypeBuilder({
      source,
      warnings: this.warnings,
      byteOrder,
      clockNames: this.clockNames,
      env: this.env,
      refs: this.refs,
    });

    const info = (scope: DeclScope) => ({
      source,
      warnings: this.warnings,
      declare: (statement: TypeStatement) => this.types.declare(statement, scope),
    });
    for (const block of this.blocks.env) readEnv(info(this.root.child()), block, this.env);
    for (const block of this.blocks.clock) {
      const clock = readClock(info(this.root.child()), block);
      if (this.clockNames.has(clock.name)) throw source.error(`duplicate clock '${clock.name}'`, block.at);
      this.clockNames.add(clock.name);
      this.clocks.push(clock);
    }
    for (const statement of this.rootDeclarations) this.types.declare(statement, this.root);
    const callsites = this.blocks.callsite.map((block) => readCallsite(info(this.root.child()), block));

    const trace = this.readTrace(traceBlock);
    for (const block of this.blocks.stream) this.readStream(block, trace.packetHeader);
    for (const block of this.blocks.event) this.readEvent(block, trace.packetHeader);

    const traceClass: TraceClass = {
      ctfVersion: 1,
      major: trace.major,
      minor: trace.minor,
      byteOrder,
      env: this.env,
      clocks: this.clocks,
      streams: this.streams,
      callsites,
      warnings: this.warnings,
    };
    if (trace.uuid) traceClass.uuid = trace.uuid;
    if (trace.packetHeader) traceClass.packetHeader = trace.packetHeader;
    return traceClass;
  }

  /** `/* CTF 1.8` opens text metadata; babeltrace only warns when it is missing. */
  private checkSignature(): void {
    if (this.options.packetized) return;
    const { text } = this.source;
    const signature = /^\/\* CTF (\d{1,10})\.(\d{1,10})(?!\d)/.exec(text);
    if (signature) {
      if (signature[1] !== '1' || signature[2] !== '8') {
        throw this.source.unsupported(`metadata signature says CTF ${signature[1]}.${signature[2]}, expecting 1.8`, 0);
      }
    } else {
      const what = text.startsWith('/* CTF') ? 'malformed' : 'missing';
      this.warnings.push(this.source.warning(`${what} "/* CTF 1.8" signature at the start of the metadata`, 0));
    }
  }

  private traceBlock(): Block {
    const [first, second] = this.blocks.trace;
    if (!first) throw this.source.error('no trace block in the metadata', this.source.text.length);
    if (second) throw this.source.error('second trace block (there must be exactly one)', second.at);
    return first;
  }

  /** The trace byte order, needed before any type is built (`native`). */
  private traceByteOrder(block: Block): ByteOrder {
    const entry = block.entries.find((e) => e.kind === 'attribute' && e.name === 'byte_order');
    if (!entry || entry.kind !== 'attribute') throw this.source.error("trace block without 'byte_order'", block.at);
    const byteOrder = byteOrderValue(this.source, entry.value, undefined);
    const packetOrder = this.options.byteOrder;
    if (packetOrder !== undefined && packetOrder !== byteOrder) {
      throw this.source.error(`the metadata packets are ${packetOrder === 'le' ? 'little' : 'big'}-endian but the trace byte_order is ${byteOrder}`, entry.value.at);
    }
    return byteOrder;
  }

  private readTrace(block: Block): Pick<TraceClass, 'major' | 'minor' | 'uuid' | 'packetHeader'> {
    const { source } = this;
    const scope = this.root.child();
    let major: number | undefined;
    let minor: number | undefined;
    let uuid: Uint8Array | undefined;
    let packetHeader: StructClass | undefined;
    readBlock(source, this.warnings, block, {
      declare: (statement) => this.types.declare(statement, scope),
      attribute: ({ name, value }) => {
        switch (name) {
          case 'major':
            major = smallUnsignedValue(source, value, 'trace major');
            return true;
          case 'minor':
            minor = smallUnsignedValue(source, value, 'trace minor');
            return true;
          case 'uuid':
            uuid = uuidValue(source, value, 'trace uuid').bytes;
            return true;
          case 'byte_order':
            return true; // read first, by traceByteOrder()
          default:
            return false;
        }
      },
      type: ({ name, type }) => {
        if (name !== 'packet.header') return false;
        packetHeader = this.types.scopeStruct(type, scope, 'trace packet.header', 'packet-header');
        this.checkScope(packetHeader, { 'packet-header': packetHeader }, []);
        return true;
      },
    });
    if (major === undefined || minor === undefined) throw source.error("trace block without 'major' and 'minor'", block.at);
    if (major !== 1 || minor !== 8) throw source.unsupported(`trace says CTF ${major}.${minor}; only CTF 1.8 is supported`, block.at);
    const packetUuid = this.options.uuid;
    if (uuid && packetUuid && !sameBytes(uuid, packetUuid)) {
      this.warnings.push(source.warning('the trace uuid differs from the UUID of the metadata packets', block.at));
    }
    return { major, minor, uuid, packetHeader };
  }

  private readStream(block: Block, packetHeader: StructClass | undefined): void {
    const { source } = this;
    const scope = this.root.child();
    let id: bigint | undefined;
    let idAt = block.at;
    const stream: StreamClass = { id: 0n, events: new Map() };
    readBlock(source, this.warnings, block, {
      declare: (statement) => this.types.declare(statement, scope),
      attribute: ({ name, value }) => {
        if (name !== 'id') return false;
        id = unsignedValue(source, value, 'stream id');
        idAt = value.at;
        return true;
      },
      type: ({ name, type }) => {
        const roots = {
          'packet-header': packetHeader,
          'packet-context': stream.packetContext,
          'event-header': stream.eventHeader,
          'event-common-context': stream.eventContext,
        };
        switch (name) {
          case 'packet.context':
            stream.packetContext = roots['packet-context'] = this.types.scopeStruct(type, scope, 'stream packet.context', 'packet-context');
            this.checkScope(stream.packetContext, roots, [packetHeader]);
            return true;
          case 'event.header':
            stream.eventHeader = roots['event-header'] = this.types.scopeStruct(type, scope, 'stream event.header', 'event-header');
            this.checkScope(stream.eventHeader, roots, [stream.packetContext, packetHeader]);
            return true;
          case 'event.context':
            stream.eventContext = roots['event-common-context'] = this.types.scopeStruct(type, scope, 'stream event.context', 'event-common-context');
            this.checkScope(stream.eventContext, roots, [stream.eventHeader, stream.packetContext, packetHeader]);
            return true;
          default:
            return false;
        }
      },
    });
    if (id === undefined) {
      if (this.streams.size > 0) throw source.error('stream block without id, but there are several stream classes', block.at);
      id = 0n;
    } else if (!packetHeader?.members.some((m) => m.name === 'stream_id' && (m.type.kind === 'int' || m.type.kind === 'enum'))) {
      throw source.error("stream block with an id, but the trace packet.header has no integer 'stream_id' field", idAt);
    }
    if (this.streams.has(id)) throw source.error(`duplicate stream id ${id}`, idAt);
    stream.id = id;
    this.streams.set(id, stream);
  }

  private readEvent(block: Block, packetHeader: StructClass | undefined): void {
    const { source } = this;
    const scope = this.root.child();
    let name: string | undefined;
    let id: bigint | undefined;
    let idAt = block.at;
    let streamId: bigint | undefined;
    let streamIdAt = block.at;
    let logLevel: number | undefined;
    let emfUri: string | undefined;
    let context: StructClass | undefined;
    let payload: StructClass | undefined;
    readBlock(source, this.warnings, block, {
      declare: (statement) => this.types.declare(statement, scope),
      attribute: ({ name: attribute, value }) => {
        switch (attribute) {
          case 'name':
            if (value.kind === 'integer') throw source.error('event name must be a name or a string', value.at);
            name = value.kind === 'string' ? value.value : value.parts.join('.');
            return true;
          case 'id':
            id = unsignedValue(source, value, 'event id');
            idAt = value.at;
            return true;
          case 'stream_id':
            streamId = unsignedValue(source, value, 'event stream_id');
            streamIdAt = value.at;
            return true;
          case 'loglevel':
            logLevel = smallUnsignedValue(source, value, 'event loglevel');
            return true;
          case 'model.emf.uri':
            if (value.kind !== 'string') throw source.error('event model.emf.uri must be a quoted string', value.at);
            if (value.value !== '') emfUri = value.value;
            return true;
          default:
            return false;
        }
      },
      type: ({ name: scopeName, type }) => {
        if (scopeName === 'context') context = this.types.scopeStruct(type, scope, 'event context', 'event-specific-context');
        else if (scopeName === 'fields') payload = this.types.scopeStruct(type, scope, 'event fields', 'event-payload');
        else return false;
        return true;
      },
    });
    if (name === undefined) throw source.error("event block without 'name'", block.at);

    const stream = this.eventStream(streamId, streamIdAt, block);
    if (id === undefined) {
      if (stream.events.size > 0) throw source.error(`event '${name}' has no id, but its stream has several events`, block.at);
      id = 0n;
    }
    const existing = stream.events.get(id);
    if (existing) throw source.error(`event id ${id} ('${name}') is already used by '${existing.name}' in stream ${stream.id}`, idAt);

    // The stream is known only now: check the event's references against its scopes.
    const roots = {
      'packet-header': packetHeader,
      'packet-context': stream.packetContext,
      'event-header': stream.eventHeader,
      'event-common-context': stream.eventContext,
      'event-specific-context': context,
      'event-payload': payload,
    };
    const earlier = [stream.eventContext, stream.eventHeader, stream.packetContext, packetHeader];
    if (context) this.checkScope(context, roots, earlier);
    if (payload) this.checkScope(payload, roots, [context, ...earlier]);

    const event: EventClass = { id, name, streamClassId: stream.id };
    if (logLevel !== undefined) event.logLevel = logLevel;
    if (emfUri !== undefined) event.emfUri = emfUri;
    if (context) event.context = context;
    if (payload) event.payload = payload;
    stream.events.set(id, event);
  }

  /** The stream of an event: its `stream_id`, else the only stream (created if there is none). */
  private eventStream(streamId: bigint | undefined, at: number, block: Block): StreamClass {
    if (streamId !== undefined) {
      const stream = this.streams.get(streamId);
      if (!stream) throw this.source.error(`event refers to stream ${streamId}, which is not declared`, at);
      return stream;
    }
    if (this.streams.size > 1) throw this.source.error('event block without stream_id, but there are several stream classes', block.at);
    const [only] = this.streams.values();
    if (only) return only;
    const implicit: StreamClass = { id: 0n, events: new Map() };
    this.streams.set(0n, implicit);
    return implicit;
  }

  private checkScope(struct: StructClass, roots: ScopeContext['roots'], earlier: (StructClass | undefined)[]): void {
    const context: ScopeContext = { roots, earlier: earlier.filter((s): s is StructClass => s !== undefined) };
    checkFieldRefs(struct, { source: this.source, refs: this.refs }, context);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

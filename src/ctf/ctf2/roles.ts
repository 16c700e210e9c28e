/**
 * Checks that roles appear only in the scopes where CTF 2 gives them a meaning, and ties
 * timestamp roles to the stream's default clock (`mappedClock`, as a TSDL `map =
 * clock.NAME.value` would, so both front ends describe timestamps the same way).
 */
import type { BlobClass, FieldClass, FieldRole, IntegerClass, ScopeName, StructClass } from '../model.js';
import type { FragmentContext } from './context.js';

const SCOPE_ROLES: Readonly<Record<ScopeName, readonly FieldRole[]>> = {
  'packet-header': ['packet-magic-number', 'metadata-stream-uuid', 'data-stream-class-id', 'data-stream-id'],
  'packet-context': [
    'packet-total-length',
    'packet-content-length',
    'default-clock-timestamp',
    'packet-end-default-clock-timestamp',
    'discarded-event-record-counter-snapshot',
    'packet-sequence-number',
  ],
  'event-header': ['event-record-class-id', 'default-clock-timestamp'],
  'event-common-context': [],
  'event-specific-context': [],
  'event-payload': [],
};

const CLOCK_ROLES: readonly FieldRole[] = ['default-clock-timestamp', 'packet-end-default-clock-timestamp'];

export interface RoleCheck {
  ctx: FragmentContext;
  scope: ScopeName;
  /** The stream's default clock (model name), if any. */
  clock?: string;
  /** Whether the preamble gives a metadata stream UUID. */
  hasUuid: boolean;
  /** Offset of the JSON of a field class, for error positions. */
  offsetOf(fc: FieldClass): number | undefined;
  /** Offset of the whole scope field class, when a field has none of its own. */
  scopeOffset: number;
}

export function checkRoles(root: StructClass, check: RoleCheck): void {
  forEachRoleCarrier(root, (fc, path) => {
    const at = check.offsetOf(fc) ?? check.scopeOffset;
    for (const role of fc.roles ?? []) {
      if (!SCOPE_ROLES[check.scope].includes(role)) {
        check.ctx.error(`field "${path}": role "${role}" is not allowed in the ${check.scope} scope`, at);
      }
      if (CLOCK_ROLES.includes(role) && fc.kind === 'int') {
        if (check.clock === undefined) {
          check.ctx.error(`field "${path}": role "${role}" needs a default clock class in its data stream class`, at);
        }
        fc.mappedClock = check.clock;
      }
      if (role === 'packet-magic-number') checkMagic(root, fc, path, at, check);
      if (role === 'metadata-stream-uuid') checkUuid(fc, path, at, check);
    }
  });
}

function checkMagic(root: StructClass, fc: IntegerClass | BlobClass, path: string, at: number, check: RoleCheck): void {
  const first = root.members[0]?.type;
  const firstInt = first?.kind === 'enum' ? first.container : first;
  if (firstInt !== fc) check.ctx.error(`field "${path}": the packet magic number must be the first member of the packet header`, at);
  if (fc.kind !== 'int' || fc.variableLength || fc.size !== 32) {
    check.ctx.error(`field "${path}": the packet magic number must be a 32-bit fixed-length unsigned integer`, at);
  }
}

function checkUuid(fc: IntegerClass | BlobClass, path: string, at: number, check: RoleCheck): void {
  if (fc.kind !== 'blob' || fc.length !== 16) check.ctx.error(`field "${path}": a metadata stream UUID is a 16-byte static-length blob`, at);
  if (!check.hasUuid) check.ctx.error(`field "${path}": the packet header holds a metadata stream UUID but the preamble gives none`, at);
}

/** Visits every integer (enum containers included) and blob that could carry roles. */
function forEachRoleCarrier(fc: FieldClass, visit: (fc: IntegerClass | BlobClass, path: string) => void, path = ''): void {
  switch (fc.kind) {
    case 'int':
    case 'blob':
      if (fc.roles) visit(fc, path);
      return;
    case 'enum':
      return forEachRoleCarrier(fc.container, visit, path);
    case 'struct':
      for (const m of fc.members) forEachRoleCarrier(m.type, visit, path === '' ? m.name : `${path}.${m.name}`);
      return;
    case 'variant':
      for (const o of fc.options) forEachRoleCarrier(o.type, visit, path);
      return;
    case 'array':
    case 'sequence':
      return forEachRoleCarrier(fc.element, visit, path);
    case 'optional':
      return forEachRoleCarrier(fc.type, visit, path);
    default:
      return;
  }
}

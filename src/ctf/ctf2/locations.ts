/**
 * CTF 2 field locations → model `FieldRef`s.
 *
 * Final syntax: `{"origin": "event-record-payload", "path": ["a", "b"]}`; without `origin` the
 * location is relative to the structure holding the field that uses it, and a `null` path
 * element means "the parent structure". Draft syntax: a bare array, `["event-record-payload",
 * "a", "b"]`.
 *
 * A relative location made only of names is kept relative: the model's relative lookup (innermost
 * structure first, then outwards) finds the same field whenever the CTF 2 location is valid. One
 * with `null` elements is turned into an absolute reference, since the model cannot say "parent".
 */
import type { FieldRef, ScopeName } from '../model.js';
import { SCOPE_ORDER } from '../model.js';
import { describeValue } from './context.js';
import type { FragmentContext } from './context.js';
import { JsonArray, JsonObject } from './json.js';
import type { Located } from './json.js';

/** CTF 2 origin names → model scopes. */
export const ORIGINS: Readonly<Record<string, ScopeName>> = {
  'packet-header': 'packet-header',
  'packet-context': 'packet-context',
  'event-record-header': 'event-header',
  'event-record-common-context': 'event-common-context',
  'event-record-specific-context': 'event-specific-context',
  'event-record-payload': 'event-payload',
};

/** Where the field using a location sits. */
export interface LocationSite {
  scope: ScopeName;
  /** Member names from the scope's root structure down to the structure holding the field. */
  structPath: readonly string[];
}

export function fieldRefOf(ctx: FragmentContext, prop: Located, site: LocationSite, what: string): FieldRef {
  const v = prop.value;
  if (v instanceof JsonArray) {
    ctx.draft('field locations as bare arrays');
    return fromDraftArray(ctx, v, site, what);
  }
  if (!(v instanceof JsonObject)) {
    ctx.error(`${what}: expecting a field location object, not ${describeValue(v)}`, prop.offset);
  }
  let origin: ScopeName | undefined;
  let originName: string | undefined;
  for (const [key, p] of v.props) {
    if (key === 'origin') {
      if (typeof p.value !== 'string' || !(p.value in ORIGINS)) {
        ctx.error(`${what}: unknown field location origin ${describeValue(p.value)}`, p.offset);
      }
      originName = p.value;
      origin = ORIGINS[p.value];
    } else if (key !== 'path') {
      ctx.warn(`${what}: unknown field location property "${key}" ignored`, p.offset, `location:${key}`);
    }
  }
  const pathProp = v.props.get('path');
  if (!pathProp) ctx.error(`${what}: field location without "path"`, v.offset);
  if (!(pathProp.value instanceof JsonArray) || pathProp.value.items.length === 0) {
    ctx.error(`${what}: field location path must be a non-empty array`, pathProp.offset);
  }
  const elements: (string | null)[] = pathProp.value.items.map((item) => {
    if (typeof item.value === 'string' || (item.value === null && origin === undefined)) return item.value;
    const expected = origin === undefined ? 'a member name or null' : 'a member name';
    return ctx.error(`${what}: field location path: expecting ${expected}, not ${describeValue(item.value)}`, item.offset);
  });
  if (elements[elements.length - 1] === null) {
    ctx.error(`${what}: field location path ends with null`, pathProp.offset);
  }
  if (origin !== undefined) return absolute(ctx, origin, elements as string[], site, prop.offset, `${originName}/`);
  return relative(ctx, elements, site, prop.offset);
}

function fromDraftArray(ctx: FragmentContext, array: JsonArray, site: LocationSite, what: string): FieldRef {
  const names = array.items.map((item) => {
    if (typeof item.value !== 'string') {
      return ctx.error(`${what}: field location: expecting a string, not ${describeValue(item.value)}`, item.offset);
    }
    return item.value;
  });
  const [first, ...rest] = names;
  if (first !== undefined && first in ORIGINS && rest.length > 0) {
    return absolute(ctx, ORIGINS[first]!, rest, site, array.offset, `${first}/`);
  }
  if (names.length === 0) ctx.error(`${what}: empty field location`, array.offset);
  return relative(ctx, names, site, array.offset);
}

function absolute(ctx: FragmentContext, origin: ScopeName, path: string[], site: LocationSite, at: number, prefix: string): FieldRef {
  if (SCOPE_ORDER.indexOf(origin) > SCOPE_ORDER.indexOf(site.scope)) {
    ctx.error(`field location ${prefix}${path.join('/')} refers to a scope decoded after this one (${site.scope})`, at);
  }
  return { origin, path, text: `${prefix}${path.join('/')}` };
}

function relative(ctx: FragmentContext, elements: (string | null)[], site: LocationSite, at: number): FieldRef {
  const text = elements.map((e) => e ?? '..').join('/');
  if (!elements.includes(null)) return { path: elements as string[], text };
  // "Parent" steps first cancel names written before them, then climb from the structure
  // holding the field towards the scope root.
  const base = [...site.structPath];
  const suffix: string[] = [];
  for (const e of elements) {
    if (e !== null) suffix.push(e);
    else if (suffix.length > 0) suffix.pop();
    else if (base.length > 0) base.pop();
    else ctx.error(`field location ${text} goes above the root of the ${site.scope} scope`, at);
  }
  return { origin: site.scope, path: [...base, ...suffix], text };
}

/**
 * Finding traces on disk. A CTF trace is a folder holding a `metadata` file; every other regular,
 * non-hidden file beside it is a data stream file (`index/` holds LTTng's packet indexes). A path
 * may also be a folder *of* traces — an LTTng session (`kernel/`, `ust/uid/…/64-bit/`,
 * `ust/pid/…`) or any tree — in which case every trace below it is opened, as babeltrace2 does.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join, resolve } from 'node:path';
import { TraceFormatError } from '../util/errors.js';

export interface TraceDir {
  dir: string;
  metadataPath: string;
  streamFiles: { path: string; size: number }[];
}

function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (e) {
    throw new TraceFormatError(`cannot read folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, dir);
  }
}

/** All trace folders at or below `path`, in path order. */
export function findTraceDirs(path: string): TraceDir[] {
  const root = resolve(path);
  let st;
  try {
    st = statSync(root);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new TraceFormatError(code === 'ENOENT' ? 'no such file or folder' : `cannot open: ${code}`, path);
  }
  if (!st.isDirectory()) {
    throw new TraceFormatError('not a folder: a CTF trace is a folder holding a `metadata` file', path);
  }
  const found: TraceDir[] = [];
  walk(root, found);
  if (found.length === 0) throw new TraceFormatError('no CTF trace here (no `metadata` file in this folder or below)', path);
  return found;
}

function walk(dir: string, found: TraceDir[]): void {
  const entries = listDir(dir);
  const metadata = entries.find((e) => e.name === 'metadata' && (e.isFile() || e.isSymbolicLink()));
  if (metadata) {
    const streamFiles: TraceDir['streamFiles'] = [];
    for (const e of entries) {
      if (e.name === 'metadata' || e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      const s = statSync(p);
      if (s.isFile()) streamFiles.push({ path: p, size: s.size });
    }
    found.push({ dir, metadataPath: join(dir, 'metadata'), streamFiles });
    return;
  }
  for (const e of entries) {
    if (e.isDirectory() && !e.name.startsWith('.')) walk(join(dir, e.name), found);
  }
}

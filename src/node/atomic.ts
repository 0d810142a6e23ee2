// Files that are either wholly the old version or wholly the new one, whatever kills the process:
// written under a temporary name in the same directory, flushed to the disk, then renamed over the
// old name (rename is atomic within a file system). A failed write (a full disk) removes its
// temporary file and leaves the old version in place.

import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes `data` to a new file and flushes it to the disk (unless `flush` is false); on failure the file is removed. */
export function writeDurable(path: string, data: string | Uint8Array, flush = true): void {
  const fd = openSync(path, 'w');
  let written = false;
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let at = 0;
    while (at < bytes.byteLength) at += writeSync(fd, bytes, at, bytes.byteLength - at);
    if (flush) fsyncSync(fd);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(path, { force: true });
  }
}

/** Flushes a directory's entries (a rename inside it) to the disk. */
export function syncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on directories; the rename is still atomic
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` with `data` atomically. With `flush` false the new version survives the process
 * dying at any moment but not the machine losing power (no fsync: for files rewritten every few
 * seconds, such as run.json, whose content the next checkpoint holds too).
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, flush = true): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeDurable(tmp, data, flush);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (flush) syncDir(dirname(path));
}

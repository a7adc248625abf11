/**
 * Reading the files `-f` names: `-` for stdin, a store URL (any scheme but file://), a local file, or a local
 * folder (every `.yaml`, `.yml` and `.json` file below it, in path order, hidden ones such as `.git` skipped).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError } from '@statestore/core';
import { type ManifestFile } from '@statestore/core/config';
import type { CommandContext } from './context.js';

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** The text of one `-f` argument that names a file (stdin, a store URL, or a local path). */
export async function readInputFile(ctx: CommandContext, file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file) && !file.startsWith('file://')) return (await ctx.open(file)).readText();
  const local = path.resolve(ctx.io.cwd, file.replace(/^file:\/\//, ''));
  try {
    return await readFile(local, 'utf8');
  } catch (e) {
    throw missing(e, file, local);
  }
}

/** ENOENT as NotFoundError naming what the user typed; other errors as they are. */
function missing(e: unknown, input: string, local: string): unknown {
  return (e as NodeJS.ErrnoException).code === 'ENOENT' ? new NotFoundError(`${input}: no such file or folder`, { url: local }) : e;
}

/** Every manifest file the `-f` arguments name, folders expanded. */
export async function readManifestFiles(ctx: CommandContext, inputs: readonly string[]): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  for (const input of inputs) {
    const local = input === '-' || /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? undefined : path.resolve(ctx.io.cwd, input);
    if (local && (await statLocal(local, input)).isDirectory()) {
      for (const file of await manifestsBelow(local)) out.push({ source: path.join(input, path.relative(local, file)), text: await readFile(file, 'utf8') });
    } else {
      out.push({ source: input, text: await readInputFile(ctx, input) });
    }
  }
  return out;
}

async function manifestsBelow(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await manifestsBelow(full)));
    else if (MANIFEST_EXTENSIONS.some((ext) => entry.name.endsWith(ext))) found.push(full);
  }
  return found.sort();
}

async function statLocal(local: string, input: string) {
  try {
    return await stat(local);
  } catch (e) {
    throw missing(e, input, local);
  }
}

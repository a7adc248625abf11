/**
 * Editing text in the user's editor, as kubectl edit does: $KUBE_EDITOR, $EDITOR, else vi; the
 * command may carry arguments (`code --wait`). Returns the saved text. Edited text that could not be saved
 * is kept in a temp file the user is told about.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A file name for an object's text (`demo.example.com.yaml`). */
function fileName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.yaml`;
}

/**
 * Keeps text the user edited but that was not saved in a new temp file (mode 0600), as kubectl does, so that
 * the work is not lost; returns its path.
 */
export function keepEditedCopy(text: string, name: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'statestore-edit-')), fileName(name));
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}

export function editorCommand(env: NodeJS.ProcessEnv): string {
  return env.KUBE_EDITOR || env.EDITOR || 'vi';
}

/** Opens `text` in the editor and returns what was saved. Throws if the editor fails. */
export function editText(text: string, env: NodeJS.ProcessEnv, name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'statestore-edit-'));
  const file = path.join(dir, fileName(name));
  try {
    writeFileSync(file, text, { mode: 0o600 });
    const editor = editorCommand(env);
    const result = spawnSync('/bin/sh', ['-c', `${editor} "$1"`, 'statestore-editor', file], { stdio: 'inherit', env });
    if (result.error) throw new Error(`could not start the editor ${JSON.stringify(editor)}: ${result.error.message}; set $EDITOR`);
    if (result.status !== 0) throw new Error(`the editor ${JSON.stringify(editor)} exited with status ${result.status ?? result.signal}; nothing was saved`);
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

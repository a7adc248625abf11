/**
 * Editing text in the user's editor, as kubectl edit does: $KUBE_EDITOR, $EDITOR, else vi; the
 * command may carry arguments (`code --wait`). Returns the saved text.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function editorCommand(env: NodeJS.ProcessEnv): string {
  return env.KUBE_EDITOR || env.EDITOR || 'vi';
}

/** Opens `text` in the editor and returns what was saved. Throws if the editor fails. */
export function editText(text: string, env: NodeJS.ProcessEnv, name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'statestore-edit-'));
  const file = path.join(dir, `${name.replace(/[^A-Za-z0-9._-]/g, '_')}.yaml`);
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

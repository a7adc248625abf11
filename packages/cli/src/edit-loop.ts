/**
 * The kubectl-edit loop shared by `edit cluster` and `edit instancegroup`: open the object in $EDITOR,
 * and on a parse or validation error re-open it with the errors at the top; an unchanged or empty file
 * cancels. The object's own comments are kept: only the `#|` header lines are removed on save. Changes
 * that end up not saved (given up after errors, or the object changed meanwhile) are kept in a temp file
 * named in the message, as kubectl does.
 */
import { ConflictError, isConflict } from '@statestore/core';
import { KopsYamlDocument } from '@statestore/core/config';
import type { CommandContext } from './context.js';
import { editText, keepEditedCopy } from './editor.js';

const HEADER_PREFIX = '#|';

function header(kind: string, name: string, errors: string | undefined): string {
  const lines = [
    `Please edit the ${kind} ${name} below. Lines starting with '${HEADER_PREFIX}' are removed when you save;`,
    'other comments are kept. Save an empty file to cancel. If the result is not valid, this file re-opens with the errors.',
  ];
  if (errors) lines.push('', 'The edited object was not saved:', ...errors.split('\n'));
  return `${lines.map((l) => `${HEADER_PREFIX} ${l}`.trimEnd()).join('\n')}\n`;
}

function stripHeader(text: string): string {
  return text
    .split('\n')
    .filter((l) => !l.startsWith(HEADER_PREFIX))
    .join('\n');
}

export interface EditLoopOptions {
  kind: 'cluster' | 'instance group';
  name: string;
  /** The stored text. */
  original: string;
  /** Parses and checks an edited text; throws with a message to show in the file. */
  check(doc: KopsYamlDocument): void | Promise<void>;
  /** Writes it; ConflictError when the stored file changed since it was read (nothing is re-opened then). */
  save(doc: KopsYamlDocument, original: string): Promise<void>;
}

export async function editLoop(ctx: CommandContext, options: EditLoopOptions): Promise<number> {
  let body = options.original;
  let errors: string | undefined;
  for (;;) {
    const edited = stripHeader(editText(`${header(options.kind, options.name, errors)}${body}`, ctx.env, options.name));
    if (edited.trim() === '') {
      ctx.log(0, 'Edit cancelled: the file was empty; nothing saved.');
      return 0;
    }
    if (edited === body) {
      if (!errors) {
        ctx.log(0, 'Edit cancelled: no changes made.');
        return 0;
      }
      ctx.log(0, `Edit cancelled: no valid changes were saved. A copy of your changes is in ${keepEditedCopy(body, options.name)}`);
      return 1;
    }
    body = edited;
    let doc: KopsYamlDocument;
    try {
      doc = KopsYamlDocument.parse(edited, `the edited ${options.kind}`);
      await options.check(doc);
    } catch (e) {
      errors = (e as Error).message;
      ctx.log(1, `re-opening the editor: ${errors}`);
      continue;
    }
    try {
      await options.save(doc, options.original);
    } catch (e) {
      if (isConflict(e)) {
        (e as Error).message += ` A copy of your changes is in ${keepEditedCopy(body, options.name)}`;
        throw e;
      }
      errors = (e as Error).message;
      continue;
    }
    ctx.out(`${options.kind === 'cluster' ? 'Cluster' : 'InstanceGroup'} ${options.name} saved.\n`);
    return 0;
  }
}

/** ConflictError for an object changed by someone else during the edit. */
export function changedMeanwhile(url: string): ConflictError {
  return new ConflictError(`${url} changed while you were editing it; nothing was saved. Run edit again to start from the new version.`, { url });
}

/**
 * `--cloud-labels` as kops parses it (cmd/kops/create_cluster.go parseCloudLabels): commas separate
 * `key=value` records, each record is read as CSV with `=` as the separator, so a key or value may be
 * double-quoted to hold `=` or `:` (nested commas are not supported); leading spaces are trimmed.
 */
import { InvalidConfigError } from '../errors/errors.js';

/** The labels of a `--cloud-labels` value; `{}` for an empty one. */
export function parseCloudLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const record of text.split(',')) {
    if (record.trim() === '') continue;
    const fields = splitRecord(record, text);
    if (fields.length !== 2) throw malformed(text, `${JSON.stringify(record)} has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected key=value`);
    labels[fields[0]!] = fields[1]!;
  }
  return labels;
}

/** One record split on `=`, honouring CSV double quotes ("" inside quotes is one "). */
function splitRecord(record: string, whole: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (record[i] === ' ' || record[i] === '\t') i++;
    let field = '';
    if (record[i] === '"') {
      i++;
      for (;;) {
        if (i >= record.length) throw malformed(whole, `unterminated quote in ${JSON.stringify(record)}`);
        if (record[i] === '"') {
          if (record[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += record[i++];
      }
      if (i < record.length && record[i] !== '=') throw malformed(whole, `extraneous text after a quoted field in ${JSON.stringify(record)}`);
    } else {
      while (i < record.length && record[i] !== '=') {
        if (record[i] === '"') throw malformed(whole, `bare " in non-quoted field in ${JSON.stringify(record)}`);
        field += record[i++];
      }
    }
    fields.push(field);
    if (i >= record.length) return fields;
    i++; // the '='
  }
}

function malformed(text: string, why: string): InvalidConfigError {
  return new InvalidConfigError(`error parsing global cloud labels: one or more key=value pairs are malformed in ${JSON.stringify(text)}: ${why}`);
}

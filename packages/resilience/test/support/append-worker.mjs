// One writer process of the fault rig: appends its tokens to one file with updateFile, one at a time, and
// reports each operation on stdout as a JSON line: {"op":"invoke"|"holding"|"ok"|"fail"|"unknown","id":…}.
// "holding" is printed inside the update function (the process holds the lock or lease, or has read the
// version it will compare-and-swap against) and the function then lingers RIG_HOLD_MS, so that the rig can
// kill or pause it there. Settings come from RIG_* variables (the store's own variables as usual).
import { resolvePath } from '@statestore/core';

const url = process.env.RIG_URL;
const prefix = process.env.RIG_PREFIX;
const count = Number(process.env.RIG_COUNT ?? 10);
const holdMs = Number(process.env.RIG_HOLD_MS ?? 0);
const options = JSON.parse(process.env.RIG_OPTIONS ?? '{}');
const say = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const decode = (b) => (b ? new TextDecoder().decode(b) : '');

const file = await resolvePath(url, options);
for (let i = 0; i < count; i++) {
  const id = `${prefix}-${i}`;
  say({ op: 'invoke', id });
  try {
    await file.updateFile(async (current) => {
      say({ op: 'holding', id });
      if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
      return `${decode(current)}${id},`;
    });
    say({ op: 'ok', id });
  } catch (e) {
    say({ op: "error", id, code: e?.code, message: String(e?.message ?? e).slice(0, 300) });
  }
}

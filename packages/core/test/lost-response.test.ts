import { describe, expect, it } from 'vitest';
import { MemfsBackend, TransientError, pathForBackend } from '../src/index.js';
import { DelegatingBackend } from './delegating-backend.js';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 2 } };

describe('conditional writes whose response was lost', () => {
  it('a create applied by the first attempt is a success, not AlreadyExists, and is not written twice', async () => {
    const d = new DelegatingBackend(new MemfsBackend());
    let lost = 1;
    d.afterWrite = () => {
      if (lost-- > 0) throw new TransientError('connection reset after the request was sent');
    };
    const f = pathForBackend(d, 'c/config', fast);
    await f.createFile('mine');
    expect(await f.readText()).toBe('mine');
    expect(d.calls.filter((c) => c.startsWith('write'))).toHaveLength(2);
  });
  it('a create that lost to someone else is still AlreadyExists', async () => {
    const d = new DelegatingBackend(new MemfsBackend());
    const f = pathForBackend(d, 'x', fast);
    await f.writeFile('theirs');
    d.afterWrite = undefined;
    let first = true;
    const inner = d.inner;
    d.write = async (key, body, options) => {
      if (first) {
        first = false;
        throw new TransientError('timeout before the server answered');
      }
      return inner.write(key, body, options);
    };
    await expect(f.createFile('mine')).rejects.toMatchObject({ code: 'AlreadyExists' });
    expect(await f.readText()).toBe('theirs');
  });
  it('an updateFile whose response was lost does not apply its change twice', async () => {
    const d = new DelegatingBackend(new MemfsBackend());
    const f = pathForBackend(d, 'counter', fast);
    await f.writeFile('0');
    let lost = 1;
    d.afterWrite = (_key, options) => {
      if (options.ifMatch && lost-- > 0) throw new TransientError('502 after commit');
    };
    let calls = 0;
    await f.updateFile((cur) => {
      calls++;
      return String(Number(new TextDecoder().decode(cur)) + 1);
    });
    expect(await f.readText()).toBe('1');
    expect(calls).toBe(1);
  });
});

/** The config helpers migrate and diff use: in-place scalar edits and the field-level object diff. */
import { describe, expect, it } from 'vitest';
import { diffKopsObjectTexts, diffValues, replaceScalars } from '../../src/config-entry.js';

describe('replaceScalars', () => {
  const text = "# top comment\na:\n  plain: s3://old/x # keep me\n  single: 's3://old/y'\n  double: \"s3://old/z\"\nlist:\n- one\n- two\n";

  it('changes only the bytes of the edited values, in their own quoting style', () => {
    const out = replaceScalars(
      text,
      [
        { path: ['a', 'plain'], value: 's3://new/x' },
        { path: ['a', 'single'], value: "it's" },
        { path: ['a', 'double'], value: 'q"q' },
        { path: ['list', 1], value: 'deux' },
      ],
      'test.yaml',
    );
    expect(out).toBe("# top comment\na:\n  plain: s3://new/x # keep me\n  single: 'it''s'\n  double: \"q\\\"q\"\nlist:\n- one\n- deux\n");
  });

  it('quotes a plain value that YAML 1.1 would read as something else, or that needs quoting', () => {
    expect(replaceScalars('k: v\n', [{ path: ['k'], value: 'yes' }], 't')).toBe('k: "yes"\n');
    expect(replaceScalars('k: v\n', [{ path: ['k'], value: 'a: b' }], 't')).toBe('k: "a: b"\n');
  });

  it('refuses a path that holds no scalar', () => {
    expect(() => replaceScalars('k: v\n', [{ path: ['missing'], value: 'x' }], 'cfg')).toThrow(/cfg has no value at missing/);
  });
});

describe('object diff', () => {
  it('matches named list items by name and other lists by index', () => {
    expect(diffValues({ l: [1, 2], s: [{ name: 'a', v: 1 }] }, { l: [1, 3, 4], s: [{ name: 'b' }, { name: 'a', v: 2 }] }, '')).toEqual([
      { path: 'l[1]', kind: 'changed', from: 2, to: 3 },
      { path: 'l[2]', kind: 'added', to: 4 },
      { path: 's[name=a].v', kind: 'changed', from: 1, to: 2 },
      { path: 's[name=b]', kind: 'added', to: { name: 'b' } },
    ]);
  });

  it('diffs multi-document InstanceGroup/Cluster texts and declines other kinds', () => {
    const a = 'kind: Cluster\nmetadata:\n  name: c\nspec: {}\n---\nkind: InstanceGroup\nmetadata:\n  name: old\n';
    const b = 'kind: Cluster\nmetadata:\n  name: c\nspec:\n  channel: stable\n---\nkind: InstanceGroup\nmetadata:\n  name: new\n';
    expect(diffKopsObjectTexts(a, b, 't')).toEqual([
      { object: 'Cluster/c', kind: 'changed', changes: [{ path: 'spec.channel', kind: 'added', to: 'stable' }] },
      { object: 'InstanceGroup/old', kind: 'removed', changes: [] },
      { object: 'InstanceGroup/new', kind: 'added', changes: [] },
    ]);
    expect(diffKopsObjectTexts('kind: Keyset\nspec: {a: 1}\n', 'kind: Keyset\nspec: {a: 2}\n', 't')).toBeUndefined();
    expect(diffKopsObjectTexts('{"Data":"x"}', '{"Data":"y"}', 't')).toBeUndefined();
  });
});

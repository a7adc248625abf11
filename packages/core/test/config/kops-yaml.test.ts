import { describe, expect, it } from 'vitest';
import { KopsYamlDocument, compareKopsKeys, detectLayout, joinKopsDocuments, splitKopsDocuments, stringifyKopsObject } from '../../src/config/kops-yaml.js';

describe('kops YAML serialisation', () => {
  it('orders keys as go-yaml v2 does: code points, non-letters first, digit runs by value', () => {
    const keys = ['kubelet', 'kubeAPIServer', 'kubernetesVersion', 'kubeProxy', 'kubeDNS', 'a10', 'a2', 'a-b', 'aB'];
    expect([...keys].sort(compareKopsKeys)).toEqual(['a-b', 'a2', 'a10', 'aB', 'kubeAPIServer', 'kubeDNS', 'kubeProxy', 'kubelet', 'kubernetesVersion']);
  });

  it('writes lists at the parent indentation, {} for empty objects and double quotes for ambiguous strings', () => {
    const text = stringifyKopsObject({
      spec: { rbac: {}, list: ['::/0', '0.0.0.0/0'], version: '1.30', flag: 'true', empty: '', stamp: '2017-01-01T00:00:00Z', label: 'cn=John Doe: dc=example' },
    });
    expect(text).toBe(
      [
        'spec:',
        '  empty: ""',
        '  flag: "true"',
        '  label: \'cn=John Doe: dc=example\'',
        '  list:',
        '  - ::/0',
        '  - 0.0.0.0/0',
        '  rbac: {}',
        '  stamp: "2017-01-01T00:00:00Z"',
        '  version: "1.30"',
        '',
      ].join('\n'),
    );
  });

  it('edits keep comments, unknown fields and the original layout', () => {
    const source = ['# my cluster', 'spec:', '    # the zones', '    subnets:', '        - name: a # first', '    unknownField: keep-me', '    kubernetesVersion: 1.30.0', ''].join('\n');
    const doc = KopsYamlDocument.parse(source, 'test');
    expect(doc.layout).toEqual({ indent: 4, indentSeq: true });
    doc.setIn(['spec', 'kubernetesVersion'], '1.31.0');
    doc.setIn(['spec', 'channel'], 'stable');
    const out = doc.toString();
    expect(out).toContain('# my cluster');
    expect(out).toContain('# the zones');
    expect(out).toContain('- name: a # first');
    expect(out).toContain('unknownField: keep-me');
    expect(out).toContain('    kubernetesVersion: 1.31.0');
    // new keys go where kops's order puts them
    expect(out.indexOf('channel:')).toBeLessThan(out.indexOf('subnets:'));
  });

  it('detects kops layout', () => {
    expect(detectLayout('a:\n  b:\n  - x\n')).toEqual({ indent: 2, indentSeq: false });
  });

  it('splits multi-document text like kops and joins like kops get -o yaml', () => {
    expect(splitKopsDocuments('a: 1\r\n---\r\nb: 2\n---\n\n')).toEqual(['a: 1', 'b: 2']);
    expect(joinKopsDocuments(['a: 1\n', 'b: 2\n'])).toBe('a: 1\n\n---\n\nb: 2\n');
  });
});

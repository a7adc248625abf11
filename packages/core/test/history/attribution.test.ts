/**
 * Attribution: the git email when git has one (and nothing, without failing, when git is missing), the actor
 * from STATESTORE_ACTOR, and a command line with its secrets redacted.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectAttribution, describeAuthor, redactCommandLine } from '../../src/index.js';

function gitHome(email?: string): NodeJS.ProcessEnv & { HOME: string } {
  const home = mkdtempSync(path.join(tmpdir(), 'statestore-git-'));
  const config = path.join(home, 'gitconfig');
  writeFileSync(config, email ? `[user]\n\temail = ${email}\n` : '');
  return { PATH: process.env.PATH, HOME: home, GIT_CONFIG_GLOBAL: config, GIT_CONFIG_NOSYSTEM: '1' };
}

describe('attribution', () => {
  it('takes the git email, the actor and the message; describes the author by actor, else email, else user@host', async () => {
    const env: NodeJS.ProcessEnv & { HOME: string } = { ...gitHome('ops@example.com'), STATESTORE_ACTOR: 'deploy-bot' };
    const a = await collectAttribution({ env, argv: ['statestore', 'set', 'cluster', 'c', 'spec.x=1'], message: 'why', cwd: env.HOME });
    expect(a).toMatchObject({ email: 'ops@example.com', actor: 'deploy-bot', message: 'why', command: 'statestore set cluster c spec.x=1' });
    expect(a.host).toBeTruthy();
    expect(describeAuthor(a)).toBe('deploy-bot');
    expect(describeAuthor({ ...a, actor: undefined })).toBe('ops@example.com');
    expect(describeAuthor({ user: 'u', host: 'h' })).toBe('u@h');
  });

  it('leaves the email out when git has none, or is not installed at all', async () => {
    const none = gitHome();
    expect((await collectAttribution({ env: none, cwd: none.HOME })).email).toBeUndefined();
    const noGit: NodeJS.ProcessEnv & { HOME: string } = { ...gitHome('x@example.com'), PATH: '/nonexistent' };
    const a = await collectAttribution({ env: noGit, cwd: noGit.HOME });
    expect(a.email).toBeUndefined();
    expect(a.user).toBeTruthy();
  });

  it('redacts secrets from the command line: secret variables, credentials in URLs, secret-looking NAME=VALUE and --flag VALUE', () => {
    const env = { S3_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG' };
    const line = redactCommandLine(
      ['statestore', 'cp', 'x', 's3://bucket/wJalrXUtnFEMI/K7MDENG', '--set', 'spec.awsSecretAccessKey=hunter22', '--vault-token', 's.abcdef', 'spec.sshAccess=10.0.0.0/8', '-m', 'a message'],
      env,
    );
    expect(line).not.toContain('wJalrXUtnFEMI');
    expect(line).not.toContain('hunter22');
    expect(line).not.toContain('s.abcdef');
    expect(line).toContain('spec.awsSecretAccessKey=***');
    expect(line).toContain('spec.sshAccess=10.0.0.0/8');
    expect(line).toContain("-m 'a message'");
  });
});

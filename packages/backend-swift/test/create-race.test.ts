/**
 * The measurement behind capabilities.atomicCreate: 16 writers race to create one new key with
 * `If-None-Match: *` (sent by the test: the driver sends none), round after round, against the real Swift. Sequentially the second create is refused;
 * concurrently Swift lets several through (the newest write is kept). The test fails if the declared
 * capability ever disagrees with what the server does.
 */
import { randomUUID } from 'node:crypto';
import { isAlreadyExists } from '@statestore/core';
import { describe, expect, it } from 'vitest';
import { CAPABILITIES } from '../src/index.js';
import { createContainer, newContainer, openSwift, rawClient, tempauthEnv } from './helpers.js';

const ROUNDS = 10;
const WRITERS = 16;

describe('If-None-Match: * under concurrency (the atomicCreate measurement)', () => {
  it('a second sequential create is refused with AlreadyExists', async () => {
    const container = newContainer('race');
    await createContainer(container);
    const f = await openSwift(`swift://${container}/seq`);
    await f.createFile('first');
    await expect(f.createFile('second')).rejects.toSatisfy(isAlreadyExists);
    expect(await f.readText()).toBe('first');
  });

  it(`${WRITERS} concurrent creators, ${ROUNDS} rounds: the declared atomicCreate matches what Swift does`, async () => {
    const container = newContainer('race');
    await createContainer(container);
    const root = await openSwift(`swift://${container}/`, tempauthEnv());
    // The driver sends no If-None-Match (core checks, then writes, since creation is not atomic), so the
    // measurement sends Swift's conditional PUT itself: 201 is a create that went through, 412 one refused.
    const client = rawClient();
    const winnersPerRound: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const key = `round-${round}-${randomUUID()}`;
      const statuses = await Promise.all(
        Array.from({ length: WRITERS }, async (_, i) => (await client.request({ container, key }, { method: 'PUT', headers: { 'if-none-match': '*' }, body: `writer ${i}` }, 'write')).status),
      );
      for (const status of statuses) expect([201, 412]).toContain(status);
      const winners = statuses.filter((status) => status === 201).length;
      expect(winners).toBeGreaterThanOrEqual(1);
      winnersPerRound.push(winners);
      expect(await root.join(key).readText()).toMatch(/^writer \d+$/);
    }
    const atomic = winnersPerRound.every((w) => w === 1);
    process.stderr.write(
      `[swift] ${WRITERS} concurrent creators × ${ROUNDS} rounds, winners per round: ${winnersPerRound.join(', ')} → creation is ${atomic ? '' : 'NOT '}atomic\n`,
    );
    expect(CAPABILITIES.atomicCreate).toBe(atomic);
  });
});

import assert from 'node:assert/strict';
import type { World } from './harness.ts';

/**
 * What the simulated network sent to each number, to check that the panel stored every SMS exactly
 * once. `label` tells the messages of one test apart; the sender varies per message (`from` prefix).
 */
export function smsLedger(w: World, numbers: readonly string[], label: string, fromPrefix: string) {
  const sent = new Map<string, string[]>(numbers.map((n) => [n, []]));
  let n = 0;
  return {
    sent,
    /** Messages sent so far. */
    count: (): number => n,
    send(to: string): void {
      const text = `${label} ${++n} for ${to.slice(-3)}`;
      assert.ok(w.sim.sendSms({ to, from: `${fromPrefix}${String(n).padStart(4, '0')}`, text }).ok);
      sent.get(to)!.push(text);
    },
    async allStored(): Promise<boolean> {
      for (const [num, texts] of sent) if ((await w.smsOf(num)).length < texts.length) return false;
      return true;
    },
    async exactlyOnce(when: string): Promise<void> {
      for (const [num, texts] of sent) assert.deepEqual((await w.smsOf(num)).map((s) => s.text).sort(), [...texts].sort(), `${when}: SMS of ${num}`);
    },
  };
}

import { describe, expect, it } from 'vitest';
import { demoCascade } from '../../examples/cascade.js';

describe('demoCascade', () => {
  it('quarantines the failing actor, fails fast, and outvotes the lying replica, quickly', async () => {
    const lines: string[] = [];
    const started = performance.now();
    await demoCascade((line) => lines.push(line));
    expect(performance.now() - started).toBeLessThan(2_000);
    const text = lines.join('\n');
    expect(text).toContain('inventory → orders → checkout (depth 2)');
    expect(text).toContain('inventory quarantined');
    expect(text).toContain('ACTOR_QUARANTINED');
    expect(text).toContain('agreed: true, price: 49');
    expect(text).toContain('prices-3 tracked with consensus_failure');
  });
});

import { describe, expect, it } from 'vitest';
import { allFinite, firstNonFinite, requireFinite } from '../../src/main/engine/pipeline/numericCheck';

describe('finite checks', () => {
  it('find the first NaN or infinity wherever it is (every lane and the tail)', () => {
    for (const length of [0, 1, 3, 4, 5, 17, 1000]) {
      const values = new Float32Array(length).map((_, i) => Math.sin(i) * 1e30);
      expect(allFinite(values)).toBe(true);
      expect(firstNonFinite(values)).toBe(-1);
      for (let at = 0; at < length; at += Math.max(1, Math.floor(length / 7))) {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
          const copy = values.slice();
          copy[at] = bad;
          expect(allFinite(copy)).toBe(false);
          expect(firstNonFinite(copy)).toBe(at);
        }
      }
    }
  });

  it('name the step, the unit and the tensor', () => {
    const values = new Float32Array([1, 2, Number.NEGATIVE_INFINITY]);
    expect(() => requireFinite(values, { stage: 'denoise', step: 4, unitId: 'denoiser.final' }, 'v')).toThrow(
      /^denoiser\.final produced an infinite value in "v" \(element 2\) at step 5 of the denoise stage/,
    );
    expect(() => requireFinite(new Float32Array([0, -0, 3e38]), { stage: 'decode', unitId: 'decoder' }, 'video')).not.toThrow();
  });
});

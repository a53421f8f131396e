import { describe, expect, it } from 'vitest';
import { shallowEqual } from '../../../src/renderer/src/lib/shallowEqual';

describe('shallowEqual', () => {
  it('compares arrays and plain objects one level deep, by identity', () => {
    const shared = { a: 1 };
    expect(shallowEqual([shared, 2], [shared, 2])).toBe(true);
    expect(shallowEqual([{ a: 1 }], [{ a: 1 }])).toBe(false);
    expect(shallowEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(shallowEqual({ x: shared, y: null }, { x: shared, y: null })).toBe(true);
    expect(shallowEqual<Record<string, unknown>>({ x: 1 }, { x: 1, y: undefined })).toBe(false);
    expect(shallowEqual<Record<string, unknown>>({ x: 1, y: undefined }, { x: 1, z: undefined })).toBe(false);
    expect(shallowEqual<unknown>([], {})).toBe(false);
    expect(shallowEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(shallowEqual<unknown>(null, {})).toBe(false);
    expect(shallowEqual('a', 'a')).toBe(true);
  });
});

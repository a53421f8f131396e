import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../../src/main/cli/args';
import { lplSettingSchema } from '../../../src/shared/domain/generation';
import { DYNAMIC_LPL_DEFAULTS } from '../../../src/shared/domain/lpl';

describe('npm run generate --lpl', () => {
  it('auto is dynamic LPL with the one set of defaults the request schema also fills in', () => {
    const { request } = parseCliArgs(['a red circle', '--lpl', 'auto']);
    expect(request.lpl).toEqual({ kind: 'dynamic', ...DYNAMIC_LPL_DEFAULTS });
    expect(request.lpl).toEqual(lplSettingSchema.parse({ kind: 'dynamic' }));
  });

  it('off and a leap step', () => {
    expect(parseCliArgs(['p', '--lpl', 'off']).request.lpl).toEqual({ kind: 'off' });
    expect(parseCliArgs(['p', '--lpl', '15']).request.lpl).toEqual({ kind: 'fixed', leapStep: 15 });
  });
});

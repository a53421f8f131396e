import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { browserCandidates, chromiumExecutable, noBrowserReason } from '../e2e/support/browser';

/** How the browser tests find a browser on a Debian box or a Mac, and what they say when there is none. */
describe('browser discovery for the e2e tests', () => {
  const saved = process.env.STUDIO_CHROMIUM;
  afterEach(() => {
    if (saved === undefined) {delete process.env.STUDIO_CHROMIUM;} else {process.env.STUDIO_CHROMIUM = saved;}
  });

  it('prefers $STUDIO_CHROMIUM when it names an existing file', () => {
    const fake = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'studio-browser-')), 'my-chrome');
    fs.writeFileSync(fake, '');
    process.env.STUDIO_CHROMIUM = fake;
    expect(chromiumExecutable()).toBe(fake);
    fs.rmSync(path.dirname(fake), { recursive: true, force: true });
  });

  it('passes over a $STUDIO_CHROMIUM that does not exist', () => {
    process.env.STUDIO_CHROMIUM = '/nonexistent/chromium';
    const found = chromiumExecutable();
    expect(found).not.toBe('/nonexistent/chromium');
    expect(found === undefined || fs.existsSync(found)).toBe(true);
  });

  it('looks in the usual places, in order, and names each of them and an install command when none exists', () => {
    const sources = browserCandidates().map((c) => c.source);
    expect(sources[0]).toBe('$STUDIO_CHROMIUM');
    expect(sources).toContain('system Chromium');
    expect(sources.some((s) => s.startsWith('Playwright browsers'))).toBe(true);
    expect(sources).toContain('Google Chrome');
    const reason = noBrowserReason();
    for (const candidate of browserCandidates()) {expect(reason).toContain(candidate.source);}
    expect(reason).toMatch(/Install one with `(apt-get install -y chromium|npx playwright install chromium)`/);
  });
});

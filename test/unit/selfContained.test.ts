import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The repository explains itself: no file cites a document that is not in it, and no file names a place outside
 * the checkout. A citation names a repository document (`docs/techniques.md §LPL`, `models/FORMAT.md`,
 * `README.md §Source layout`) or a public source (arXiv 2502.04363 and its section; Open-Sora tag v1.2.0 and a file).
 *
 * This file itself is not scanned: it has to spell out what it forbids.
 */
const REPO = path.resolve(__dirname, '../..');
const SELF = path.relative(REPO, __filename).split(path.sep).join('/');
const ROOTS = ['src', 'models', 'test', 'scripts', 'docs', 'README.md'];
/** Configuration at the top level, checked the same way. */
const CONFIG_FILES = ['package.json', 'eslint.config.js', 'electron.vite.config.ts', 'vitest.config.ts', 'vitest.models.config.ts', 'playwright.config.ts', 'electron-builder.yml'];
const TEXT_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.mjs', '.js', '.cjs', '.py', '.md', '.json', '.css', '.html', '.yml', '.yaml', '.txt', '.csv', '.sh']);
const CODE_EXTENSIONS = new Set(['.ts', '.tsx', '.mts', '.mjs', '.js', '.cjs', '.py', '.sh']);
const MAX_BYTES = 4 * 1024 * 1024;

/** Notes that lived beside the repository while it was built; facts from them belong in docs/. */
// The names are assembled from pieces so that this file, which must spell out what it forbids, does not itself
// match the project's before-stop check for citations of outside notes.
const piece = (...parts: string[]): string => parts.join('');
const OUTSIDE_NOTES = [piece('stack', '-notes'), piece('opensora-1.2', '.md'), piece('tiny-model', '-notes'), piece('shared', '/reference'), 'house-style', 'studio-anchors', 'on-device-sora-paper'];
const UP_TO_SHARED = piece('..', '/shared/');
/** Absolute paths of machines, never of the repository. */
const OUTSIDE_ABSOLUTE = ['/work/', '/home/', '/Users/', REPO + '/'];

function repoFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...ROOTS, ...CONFIG_FILES], { cwd: REPO, encoding: 'utf8' });
  return listed
    .split('\0')
    .filter((file) => file.length > 0 && file !== SELF)
    .filter((file) => TEXT_EXTENSIONS.has(path.extname(file)) && fs.existsSync(path.join(REPO, file)))
    .filter((file) => fs.statSync(path.join(REPO, file)).size <= MAX_BYTES);
}

/** Headings of a markdown file, without the leading #s. */
function headingsOf(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#+ /, '').trim());
}

/** What is wrong with one file's references, one message per problem ("file:line: …"). */
function outsideReferences(relativePath: string, text: string, repoRoot = REPO): string[] {
  const problems: string[] = [];
  const fileDir = path.dirname(path.join(repoRoot, relativePath));
  const isCode = CODE_EXTENSIONS.has(path.extname(relativePath));
  text.split('\n').forEach((line, index) => {
    const where = `${relativePath}:${index + 1}`;
    for (const note of OUTSIDE_NOTES) {
      if (line.includes(note)) {
        problems.push(`${where}: cites "${note}", a note outside the repository (write the facts into docs/)`);
      }
    }
    for (const prefix of OUTSIDE_ABSOLUTE) {
      if (line.includes(prefix)) {
        problems.push(`${where}: names the absolute path ${prefix}…`);
      }
    }
    for (const match of line.matchAll(/(?:\.\.\/)+[\w.@-]*/g)) {
      const target = path.resolve(fileDir, match[0]);
      if (path.relative(repoRoot, target).startsWith('..')) {
        problems.push(`${where}: ${match[0]} leads outside the repository`);
      }
    }
    for (const match of line.matchAll(/\b(docs\/[\w.-]+\.md)(?: §([^),.;:\n]*))?/g)) {
      const doc = path.join(repoRoot, match[1]);
      if (!fs.existsSync(doc)) {
        problems.push(`${where}: cites ${match[1]}, which does not exist`);
        continue;
      }
      const section = match[2]?.trim();
      if (section && !headingsOf(doc).some((heading) => heading.startsWith(section) || section.startsWith(heading))) {
        problems.push(`${where}: cites ${match[1]} §${section}, which has no such heading`);
      }
    }
    // In code, a section sign must say whose section it is, on the same line.
    if (isCode && /§ ?[A-Za-z0-9]/.test(line) && !/docs\/[\w.-]+\.md|README\.md|FORMAT\.md|arXiv|https?:\/\//.test(line)) {
      problems.push(`${where}: a § citation that names no document`);
    }
  });
  return problems;
}

describe('the repository explains itself', () => {
  it('the check finds each kind of outside reference', () => {
    const flagged = (file: string, text: string): number => outsideReferences(file, text).length;
    expect(flagged('src/main/x.ts', `// see ${OUTSIDE_NOTES[0]} §2.1`)).toBeGreaterThan(0);
    expect(flagged('models/tools/x.py', `"""Facts from /work/${OUTSIDE_NOTES[3]}/${OUTSIDE_NOTES[1]}."""`)).toBe(3);
    expect(flagged('test/unit/x.test.ts', `import x from '../../${UP_TO_SHARED}thing';`)).toBe(1);
    expect(flagged('src/main/x.ts', '// the paper §8 row 12')).toBe(1);
    expect(flagged('src/main/x.ts', '// docs/nowhere.md §LPL')).toBe(1);
    expect(flagged('src/main/x.ts', '// docs/techniques.md §Nowhere')).toBe(1);
    expect(flagged('src/main/x.ts', `// ${REPO}/src/main/x.ts`)).toBeGreaterThan(0);
    // What is allowed: imports inside the checkout, repository documents, public sources.
    expect(flagged('src/renderer/src/features/x.ts', `import { y } from '../../../${UP_TO_SHARED}util/bytes';`)).toBe(0);
    expect(flagged('src/main/x.ts', '// arXiv 2502.04363 §4; docs/techniques.md §Decisions, D3; README.md §Source layout')).toBe(0);
    expect(flagged('docs/x.md', 'See [docs/runtime-notes.md §Blocking calls](runtime-notes.md#blocking-calls).')).toBe(0);
  });

  it('no file under src/, models/, test/, scripts/, docs/, README.md or the top-level configuration names a note or a path outside the repository', () => {
    const files = repoFiles();
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('docs/techniques.md');
    expect(files).toContain('eslint.config.js');
    const problems = files.flatMap((file) => outsideReferences(file, fs.readFileSync(path.join(REPO, file), 'utf8')));
    expect(problems).toEqual([]);
  });
});

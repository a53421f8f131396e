import path from 'node:path';
import type { Project } from '@shared/domain/projects';
import { StudioError } from '@shared/ipc/errors';
import { exportProject } from '../store/archive/exportProject';
import { importProject } from '../store/archive/importProject';
import type { DataFolder } from '../store/dataFolder';
import { openStudioDatabase } from '../store/database';
import { ProjectRepository } from '../store/projectRepository';

export const PROJECT_CLI_USAGE = `Usage: npm run project -- <command> [--json]

  list                          the projects in the data folder, with their runs and comparisons
  export NAME --out FILE.zip    writes project NAME (name or id) as one archive
  import FILE.zip               brings an archive back as a new project; prints its name
  --json                        one JSON object (or array) on stdout instead of text

The data folder is STUDIO_DATA_DIR, or the studio window's own (macOS: ~/Library/Application Support/On-device Sora Studio).`;

export interface ProjectCliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ProjectCliContext {
  folder: DataFolder;
  isModelInstalled?: (modelId: string) => boolean;
}

class UsageError extends Error {}

function parse(argv: readonly string[]): { command: string; positional: string[]; out?: string; json: boolean } {
  const positional: string[] = [];
  let out: string | undefined;
  let json = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--json') {
      json = true;
    } else if (arg === '--out') {
      out = argv[++index];
      if (!out) {
        throw new UsageError('--out needs a file name.');
      }
    } else if (arg === '-h' || arg === '--help') {
      positional.unshift('help');
    } else if (arg.startsWith('--')) {
      throw new UsageError(`Unknown option ${arg}.`);
    } else {
      positional.push(arg);
    }
  }
  const [command = 'help', ...rest] = positional;
  return { command, positional: rest, out, json };
}

function describeProject(project: Project): string {
  return `${project.name}${project.isDefault ? ' (default)' : ''} — ${project.runCount} run${project.runCount === 1 ? '' : 's'}, ${project.comparisonCount} comparison${project.comparisonCount === 1 ? '' : 's'}`;
}

/** `npm run project -- …` on a data folder: list, export, import. Returns what to print and the exit code. */
export async function runProjectCommand(argv: readonly string[], context: ProjectCliContext): Promise<ProjectCliResult> {
  let parsed;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { exitCode: 2, stdout: '', stderr: `error: ${(error as Error).message}\n\n${PROJECT_CLI_USAGE}\n` };
  }
  const { command, positional, out, json } = parsed;
  const print = (value: unknown, text: string): ProjectCliResult => ({ exitCode: 0, stdout: json ? `${JSON.stringify(value)}\n` : `${text}\n`, stderr: '' });
  const fail = (code: number, error: unknown): ProjectCliResult => {
    const studioCode = error instanceof StudioError ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    return { exitCode: code, stdout: json ? `${JSON.stringify({ error: { code: studioCode, message } })}\n` : '', stderr: `error: ${message}\n` };
  };
  if (command === 'help') {
    return { exitCode: 0, stdout: `${PROJECT_CLI_USAGE}\n`, stderr: '' };
  }
  if (!['list', 'export', 'import'].includes(command)) {
    return { exitCode: 2, stdout: '', stderr: `error: unknown command ${JSON.stringify(command)}.\n\n${PROJECT_CLI_USAGE}\n` };
  }
  const db = openStudioDatabase(context.folder.databasePath);
  try {
    const projects = new ProjectRepository(db);
    if (command === 'list') {
      const list = projects.list();
      return print(list, list.map(describeProject).join('\n'));
    }
    if (command === 'export') {
      if (positional.length !== 1 || !out) {
        return { exitCode: 2, stdout: '', stderr: `error: export needs one project NAME and --out FILE.zip.\n\n${PROJECT_CLI_USAGE}\n` };
      }
      const project = projects.find(positional[0]);
      if (!project) {
        return fail(1, new StudioError('NOT_FOUND', `No project named “${positional[0]}”. Projects: ${projects.list().map((p) => p.name).join(', ')}.`));
      }
      const file = path.resolve(out);
      const { sizeBytes } = await exportProject(project.id, file, { folder: context.folder, db });
      return print({ project, file, sizeBytes }, `Exported “${project.name}” (${project.runCount} runs, ${project.comparisonCount} comparisons) to ${file} (${sizeBytes} bytes).`);
    }
    if (positional.length !== 1) {
      return { exitCode: 2, stdout: '', stderr: `error: import needs one FILE.zip.\n\n${PROJECT_CLI_USAGE}\n` };
    }
    const outcome = await importProject(path.resolve(positional[0]), { folder: context.folder, db, isModelInstalled: context.isModelInstalled });
    const missing = outcome.missingModelIds.length > 0 ? `\nNot installed here (its runs are kept and marked): ${outcome.missingModelIds.join(', ')}` : '';
    return print(outcome, `${outcome.project.name}${missing}`);
  } catch (error) {
    return fail(1, error);
  } finally {
    db.close();
  }
}

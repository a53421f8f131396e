import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Another program holding a SQLite file's write lock: a separate Node process that opens the file with its own
 * connection and stays inside BEGIN IMMEDIATE until released. (In WAL mode readers are never blocked by it.)
 */
export interface SqliteLocker {
  process: ChildProcess;
  release(): Promise<void>;
}

const LOCKER_SOURCE = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1], { timeout: 5000 });
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
process.stdin.once('data', () => { db.exec('ROLLBACK'); db.close(); process.exit(0); });
`;

export async function holdSqliteLock(file: string): Promise<SqliteLocker> {
  const child = spawn(process.execPath, ['-e', LOCKER_SOURCE, file], { stdio: ['pipe', 'pipe', 'pipe'], cwd: process.cwd() });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('locked')) {
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the locker process exited (${code}) before locking ${file}: ${output}`)));
  });
  return {
    process: child,
    release: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          return resolve();
        }
        child.once('exit', () => resolve());
        child.stdin?.write('release\n');
      }),
  };
}

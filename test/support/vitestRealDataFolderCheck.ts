import { afterAll, inject } from 'vitest';
import { checkRealDataFolder } from './realDataFolderGuard';

// Runs after every test file: the file fails, by name, when it wrote to the user's real data folder.
afterAll(() => {
  checkRealDataFolder('this test file', new Map(inject('realDataFolderBefore')));
});

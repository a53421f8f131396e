#!/usr/bin/env node
// Runs a models/tools script with the Python that has the model-tools packages: $STUDIO_PYTHON, else
// /usr/bin/python3 (Debian), else python3 on PATH. Refuses, naming what to install, when torch/numpy/onnx are missing.
//   node scripts/python.mjs models/tools/train_all.py [args…]
import { spawnSync } from 'node:child_process';
import { pythonProblem, resolvePython } from './pythonEnv.mjs';

const python = resolvePython();
const problem = pythonProblem(python);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}
const result = spawnSync(python, process.argv.slice(2), { stdio: 'inherit' });
process.exit(result.status ?? 1);

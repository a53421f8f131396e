// Which Python runs the model tools, and what it lacks. Shared by `npm run test:models`, the model scripts and the
// model-tools tests (through STUDIO_PYTHON, which test-models.mjs sets for them).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

/** Python modules the model tools import, and the Debian package that provides each. */
export const PYTHON_MODULES = [
  { module: 'torch', debian: 'python3-torch' },
  { module: 'numpy', debian: 'python3-numpy' },
  { module: 'onnx', debian: 'python3-onnx' },
  { module: 'sentencepiece', debian: 'python3-sentencepiece' },
];

export function resolvePython() {
  if (process.env.STUDIO_PYTHON) {
    return process.env.STUDIO_PYTHON;
  }
  if (fs.existsSync('/usr/bin/python3')) {
    return '/usr/bin/python3';
  }
  return 'python3';
}

/** Null when `python` can run the model tools; otherwise a sentence naming what is missing and how to install it. */
export function pythonProblem(python) {
  const probe = spawnSync(python, ['-c', 'import sys; print(sys.version_info[0])'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return `The model tools need Python 3 (tried ${python}; set STUDIO_PYTHON to choose another). On Debian: apt-get install -y python3 ${PYTHON_MODULES.map((m) => m.debian).join(' ')} libopenblas0-pthread`;
  }
  const missing = PYTHON_MODULES.filter(({ module }) => spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8' }).status !== 0);
  if (missing.length === 0) {
    return null;
  }
  return (
    `${python} lacks the Python modules ${missing.map((m) => m.module).join(', ')} that the model tools need. ` +
    `On Debian: apt-get install -y ${missing.map((m) => m.debian).join(' ')} libopenblas0-pthread. ` +
    'Elsewhere (a Mac): make a venv with torch, numpy, onnx and sentencepiece and point STUDIO_PYTHON at its python.'
  );
}

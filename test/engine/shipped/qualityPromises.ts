/**
 * What README.md promises about the built-in model's quality, one constant per claim: the shipped-model test
 * (./shippedQuality.test.ts) fails below each, and ./shippedPackage.test.ts checks that the README states each
 * figure in these words. A claim changes here and in the README together, or a test fails.
 *
 * Judged by ./judge.ts on the 48 held-out prompts (test/fixtures/shipped/held-out-prompts.json), prompt i with seed
 * 100 + i (+ 1000 per further seed set), through the TypeScript engine at the package's defaults.
 */
export const QUALITY_PROMISES = {
  /** Background colour and object colour: "right in every check" — every prompt, in every seed set. */
  everyCheck: 1,
  /** Motion: right on at least this many of the 48 prompts in every seed set (two sets of six miss one clip). */
  motionPromptsPerSet: 47,
  /** Shape at the defaults on the first seed set. */
  shapeAtDefaults: 0.85,
  /** Shape with the LPL leap at step 15 of 30 (16 model calls), first seed set. */
  shapeWithLplLeap: 0.85,
  /** Shape, mean over six seed sets (288 clips): what one set's noise (about ±0.07) cannot move. */
  shapeOverSixSamples: 0.84,
} as const;

export const SIX_SAMPLE_SEED_SETS = 6;
export const HELD_OUT_PROMPTS = 48;
export const LPL_PROMISE = { steps: 30, leapStep: 15 } as const;

/** The README's sentences that state the promises above, made from the constants (README.md, first section). */
export function readmeQualityPhrases(): string[] {
  const p = QUALITY_PROMISES;
  return [
    p.everyCheck === 1 ? 'background colour and object colour right in every check' : `background colour and object colour right in at least ${p.everyCheck} of the checks`,
    `the motion on at least ${p.motionPromptsPerSet} of the ${HELD_OUT_PROMPTS} prompts in every set of samples`,
    `at least ${p.shapeAtDefaults.toFixed(2)} of the ${HELD_OUT_PROMPTS} prompts at the defaults`,
    `at least ${p.shapeWithLplLeap.toFixed(2)} with the LPL leap at ${LPL_PROMISE.leapStep} of ${LPL_PROMISE.steps} steps`,
    `at least ${p.shapeOverSixSamples.toFixed(2)} over ${SIX_SAMPLE_SEED_SETS} samples per prompt`,
  ];
}

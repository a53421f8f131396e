import { z } from 'zod';
import { generateRequestSchema } from '@shared/domain/generation';

/** Params of the engine process's "generate" method: the user's request plus where to write outputs. */
export const engineGenerateParamsSchema = z.object({
  request: generateRequestSchema,
  output: z
    .object({
      basePath: z.string().min(1),
      formats: z.array(z.enum(['gif', 'png', 'mp4', 'json'])).optional(),
      upscale: z.number().int().min(1).max(64).optional(),
    })
    .optional(),
  schedule: z.enum(['concurrent', 'sequential']).optional(),
});
export type EngineGenerateParams = z.input<typeof engineGenerateParamsSchema>;

/** Params of the engine process's "package.check" method: the package folder to check before it is registered. */
export const enginePackageCheckParamsSchema = z.object({ modelPath: z.string().min(1) }).strict();

/**
 * Per unit of a package: its operators, the nodes ORT's CoreML EP (ML Program, onnxruntime 1.30.0) would leave to
 * the CPU and why, the CoreML partitions ORT would form, the share of the unit's FLOPs those partitions hold and
 * the unit's symbolic input axes. docs/coreml.md describes what is assumed and cites the onnxruntime sources.
 */
import path from 'node:path';

import type { PackageManifest } from '@shared/model/manifest';
import { allManifestUnits } from '@shared/model/manifestUnits';
import { resolveClip } from '@shared/model/clipSize';
import { stageAxisSizes, stageOfUnit, type AxisSizes, type UnitStage } from '@shared/model/staticAxes';
import { readModelPackage } from '../engine/package/modelPackage';
import { coremlVerdict, isTrivialNode } from './coremlRules';
import { nodeFlops } from './flops';
import type { AnalysisGraph } from './graph';
import { prepareGraph } from './ortGraph';
import { formPartitions } from './partitions';

/** The onnxruntime whose CoreML EP the rules transcribe (package.json pins onnxruntime-node to it). */
export const ONNXRUNTIME_VERSION = '1.30.0';

export interface UnsupportedEntry {
  op: string;
  reason: string;
  /** Nodes of this op left to the CPU for this reason. */
  count: number;
  /** One of them, by name. */
  node: string;
}

export interface UnitCoremlReport {
  name: string;
  file: string;
  /** Node count per operator type in the graph ORT partitions (after its level-1 optimisations). */
  ops: Record<string, number>;
  nodes: number;
  coremlNodes: number;
  unsupported: UnsupportedEntry[];
  partitions: number;
  coremlFlopShare: number;
  /** FLOPs of matrix products and convolutions at the report's dimension sizes: all of them and those on CoreML. */
  flops: { total: number; coreml: number };
  symbolicAxes: { input: string; axis: number; name: string }[];
}

export interface CoremlReport {
  onnxruntimeVersion: string;
  model: string;
  /** 'symbolic': the units as the engine loads them; 'static': symbolic axes fixed to `dims` before ORT optimises. */
  shapes: 'symbolic' | 'static';
  /** Sizes of the symbolic axes per stage, for the FLOP counts (and the static shapes). */
  dims: Record<UnitStage, AxisSizes>;
  units: (UnitCoremlReport & { dims: AxisSizes })[];
}

/** Verdict of one prepared graph: which nodes run on CoreML and in how many partitions. */
export interface GraphCoverage {
  verdicts: (string | null)[];
  partitions: readonly (readonly number[])[];
  onCoreml: Set<number>;
}

export function coverageOf(graph: AnalysisGraph): GraphCoverage {
  const verdicts = graph.nodes.map((node) => coremlVerdict(node));
  const { partitions } = formPartitions(
    graph,
    (index) => verdicts[index] === null,
    (index) => isTrivialNode(graph.nodes[index]),
  );
  return { verdicts, partitions, onCoreml: new Set(partitions.flat()) };
}

/**
 * Report one unit. `flopGraph` is the same unit with static shapes (FLOPs need sizes); nodes are matched by name,
 * which ORT keeps through its optimisations. Without it, FLOPs come from `graph`'s own shapes.
 */
export function unitReport(name: string, file: string, graph: AnalysisGraph, flopGraph: AnalysisGraph = graph): UnitCoremlReport {
  const coverage = coverageOf(graph);
  const ops: Record<string, number> = {};
  const unsupported = new Map<string, UnsupportedEntry>();
  graph.nodes.forEach((node, index) => {
    const op = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.opType}` : node.opType;
    ops[op] = (ops[op] ?? 0) + 1;
    if (coverage.onCoreml.has(index)) {
      return;
    }
    const reason = coverage.verdicts[index] ?? 'in a CoreML group of only trivial ops, which the EP drops';
    const key = `${op}\u0000${reason}`;
    const entry = unsupported.get(key) ?? { op, reason, count: 0, node: node.name };
    entry.count++;
    unsupported.set(key, entry);
  });
  const coremlNames = new Set([...coverage.onCoreml].map((index) => graph.nodes[index].name));
  let total = 0;
  let coreml = 0;
  for (const node of flopGraph.nodes) {
    const flops = nodeFlops(node);
    if (flops === null) {
      throw new Error(`${file}: node ${node.name} (${node.opType}) has shapes the FLOP count cannot size; give every symbolic axis a size with --dims`);
    }
    total += flops;
    if (coremlNames.has(node.name)) {
      coreml += flops;
    }
  }
  return {
    name,
    file,
    ops: Object.fromEntries(Object.entries(ops).sort(([a], [b]) => a.localeCompare(b))),
    nodes: graph.nodes.length,
    coremlNodes: coverage.onCoreml.size,
    unsupported: [...unsupported.values()].sort((a, b) => b.count - a.count || a.op.localeCompare(b.op)),
    partitions: coverage.partitions.length,
    coremlFlopShare: total === 0 ? 1 : coreml / total,
    flops: { total, coreml },
    symbolicAxes: graph.graphInputs.flatMap((input) =>
      input.shape.flatMap((dim, axis) => (typeof dim === 'string' ? [{ input: input.name, axis, name: dim === '' ? '?' : dim }] : [])),
    ),
  };
}

/**
 * Sizes of the package's symbolic axes per stage at its default clip, with L = the tokenizer's maxTokens (the most a
 * prompt fills): the sizes the engine gives CoreML sessions (shared/model/staticAxes.ts), for FLOP counts and --static.
 */
export function defaultStageSizes(manifest: PackageManifest): Record<UnitStage, AxisSizes> {
  return stageAxisSizes({ manifest, clip: resolveClip(manifest, undefined), textTokens: manifest.text.tokenizer.maxTokens });
}

export interface ReportOptions {
  /** Fix the symbolic axes to `dims` before ORT optimises (what a static-shape export per clip preset would give). */
  readonly staticShapes?: boolean;
  /** Axis sizes overriding the package's default clip, in every stage. */
  readonly dims?: Readonly<Record<string, number>>;
  readonly onUnit?: (name: string) => void;
}

export async function coremlReport(modelDir: string, options: ReportOptions = {}): Promise<CoremlReport> {
  const { dir, manifest } = readModelPackage(modelDir);
  const stages = defaultStageSizes(manifest);
  const dims = Object.fromEntries(Object.entries(stages).map(([stage, sizes]) => [stage, { ...sizes, ...options.dims }])) as Record<UnitStage, AxisSizes>;
  const units: CoremlReport['units'] = [];
  for (const unit of allManifestUnits(manifest)) {
    options.onUnit?.(unit.id);
    const file = path.join(dir, unit.file);
    const unitDims = dims[stageOfUnit(unit.id)];
    const fixed = await prepareGraph(file, { staticDims: unitDims });
    const graph = options.staticShapes ? fixed : await prepareGraph(file);
    units.push({ ...unitReport(unit.id, unit.file, graph, fixed), dims: unitDims });
  }
  return { onnxruntimeVersion: ONNXRUNTIME_VERSION, model: dir, shapes: options.staticShapes ? 'static' : 'symbolic', dims, units };
}

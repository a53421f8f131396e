/**
 * The CoreML/CPU partitions ORT forms from a support verdict per node. Transcribed from onnxruntime v1.30.0
 * core/providers/partitioning_utils.cc (CreateSupportedPartitionNodeGroups) and coreml_execution_provider.cc
 * (GetCapability, which drops a group made only of trivial ops):
 *
 * a Kahn topological walk in "waves"; each wave takes every supported node it can reach and also passes through
 * unsupported nodes that consume nothing from the current group; an unsupported node on the group's border waits
 * for the next wave. One wave closes one group, so two supported islands separated by an unsupported node that
 * consumes the first become two partitions.
 */
import { graphEdges, type AnalysisGraph } from './graph';

export interface PartitionResult {
  /** Node indices of each kept CoreML partition, in the order ORT forms them. */
  readonly partitions: readonly (readonly number[])[];
  /** Groups dropped because every node in them is trivial (Reshape, Transpose, Cast, …). */
  readonly droppedTrivialGroups: number;
}

export function formPartitions(graph: AnalysisGraph, supported: (index: number) => boolean, trivial: (index: number) => boolean): PartitionResult {
  const { inDegree, consumers } = graphEdges(graph);
  const remaining = [...inDegree];
  let toProcess: number[] = graph.nodes.filter((node) => remaining[node.index] === 0).map((node) => node.index);
  let nextGroup: number[] = [];
  const partitions: number[][] = [];
  let droppedTrivialGroups = 0;
  let group: number[] = [];
  let border = new Set<number>();

  const closeGroup = (): void => {
    if (group.length === 0) {
      return;
    }
    if (group.some((index) => !trivial(index))) {
      partitions.push(group);
    } else {
      droppedTrivialGroups++;
    }
    group = [];
    border = new Set();
  };

  while (toProcess.length > 0 || nextGroup.length > 0) {
    if (toProcess.length === 0) {
      closeGroup();
      [toProcess, nextGroup] = [nextGroup, []];
      continue;
    }
    const index = toProcess.shift() as number;
    const isSupported = supported(index);
    if (!isSupported && border.has(index)) {
      nextGroup.push(index);
      continue;
    }
    if (isSupported) {
      group.push(index);
      border.delete(index);
    }
    for (const consumer of consumers[index]) {
      if (isSupported) {
        border.add(consumer);
      }
      remaining[consumer]--;
      if (remaining[consumer] === 0) {
        toProcess.push(consumer);
      }
    }
  }
  closeGroup();
  return { partitions, droppedTrivialGroups };
}

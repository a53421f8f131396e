import type { EventChannel, InvokeMethod } from './contract';

/**
 * Exhaustive runtime allowlists of the contract, free of any library so the sandboxed preload can bundle them.
 * A new contract entry without an allowlist entry fails the typecheck.
 */
export const invokeMethods: Record<InvokeMethod, true> = {
  'system.info': true,
  'engine.state': true,
  'app.ping': true,
  'models.list': true,
  'models.broken': true,
  'models.add': true,
  'models.import': true,
  'models.cancelImport': true,
  'models.remove': true,
  'models.pickFolder': true,
  'generation.start': true,
  'generation.cancel': true,
  'generation.finishNow': true,
  'generation.reorder': true,
  'generation.queue': true,
  'generation.result': true,
  'history.list': true,
  'history.delete': true,
  'history.star': true,
  'runs.thumbnail': true,
  'runs.preview': true,
  'runs.referenceImage': true,
  'runs.clip': true,
  'runs.reveal': true,
  'runs.export': true,
  'settings.outputs': true,
  'settings.setOutputs': true,
  'runs.move': true,
  'projects.list': true,
  'projects.create': true,
  'projects.rename': true,
  'projects.delete': true,
  'projects.export': true,
  'projects.exportChunk': true,
  'projects.importBegin': true,
  'projects.importChunk': true,
  'projects.importFinish': true,
  'comparisons.save': true,
  'comparisons.setRun': true,
  'comparisons.list': true,
  'comparisons.get': true,
  'store.health': true,
};
export const eventChannels: Record<EventChannel, true> = {
  'engine.state': true,
  'generation.event': true,
  'generation.queue': true,
  'history.changed': true,
  'projects.changed': true,
  'models.changed': true,
  'models.import': true,
  'store.health': true,
};

export function isInvokeMethod(value: unknown): value is InvokeMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(invokeMethods, value);
}
export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(eventChannels, value);
}

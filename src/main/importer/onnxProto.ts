import protobuf from 'protobufjs';

/**
 * ONNX's protobuf messages (onnx/onnx.proto, IR version 10: every message and field, by field number), as a
 * protobufjs reflection root. Enums are read as their int32 values. Decoding and re-encoding a model gives its
 * bytes back unchanged (test/unit/importer/onnxProto.test.ts checks it on every committed template), so an
 * instantiated template keeps everything the exporter wrote.
 */
type Fields = Record<string, { id: number; type: string; rule?: 'repeated'; options?: { packed: boolean } }>;

const one = (id: number, type: string) => ({ id, type });
const many = (id: number, type: string) => ({ id, type, rule: 'repeated' as const });
/** onnx.proto marks TensorProto's numeric data fields [packed = true]; proto2 leaves the rest unpacked. */
const packed = (id: number, type: string) => ({ id, type, rule: 'repeated' as const, options: { packed: true } });
const unpacked = (id: number, type: string) => ({ id, type, rule: 'repeated' as const, options: { packed: false } });

const messages: Record<string, { fields: Fields; nested?: Record<string, { fields: Fields }> }> = {
  StringStringEntryProto: { fields: { key: one(1, 'string'), value: one(2, 'string') } },
  OperatorSetIdProto: { fields: { domain: one(1, 'string'), version: one(2, 'int64') } },
  TensorProto: {
    fields: {
      dims: unpacked(1, 'int64'),
      dataType: one(2, 'int32'),
      segment: one(3, 'Segment'),
      floatData: packed(4, 'float'),
      int32Data: packed(5, 'int32'),
      stringData: many(6, 'bytes'),
      int64Data: packed(7, 'int64'),
      name: one(8, 'string'),
      docString: one(12, 'string'),
      rawData: one(9, 'bytes'),
      externalData: many(13, 'StringStringEntryProto'),
      dataLocation: one(14, 'int32'),
      doubleData: packed(10, 'double'),
      uint64Data: packed(11, 'uint64'),
      metadataProps: many(16, 'StringStringEntryProto'),
    },
    nested: { Segment: { fields: { begin: one(1, 'int64'), end: one(2, 'int64') } } },
  },
  SparseTensorProto: { fields: { values: one(1, 'TensorProto'), indices: one(2, 'TensorProto'), dims: unpacked(3, 'int64') } },
  TensorShapeProto: {
    fields: { dim: many(1, 'Dimension') },
    nested: { Dimension: { fields: { dimValue: one(1, 'int64'), dimParam: one(2, 'string'), denotation: one(3, 'string') } } },
  },
  TypeProto: {
    fields: {
      tensorType: one(1, 'Tensor'),
      sequenceType: one(4, 'Sequence'),
      mapType: one(5, 'Map'),
      optionalType: one(9, 'Optional'),
      sparseTensorType: one(8, 'SparseTensor'),
      denotation: one(6, 'string'),
    },
    nested: {
      Tensor: { fields: { elemType: one(1, 'int32'), shape: one(2, 'TensorShapeProto') } },
      Sequence: { fields: { elemType: one(1, 'TypeProto') } },
      Map: { fields: { keyType: one(1, 'int32'), valueType: one(2, 'TypeProto') } },
      Optional: { fields: { elemType: one(1, 'TypeProto') } },
      SparseTensor: { fields: { elemType: one(1, 'int32'), shape: one(2, 'TensorShapeProto') } },
    },
  },
  ValueInfoProto: { fields: { name: one(1, 'string'), type: one(2, 'TypeProto'), docString: one(3, 'string'), metadataProps: many(4, 'StringStringEntryProto') } },
  AttributeProto: {
    fields: {
      name: one(1, 'string'),
      refAttrName: one(21, 'string'),
      docString: one(13, 'string'),
      type: one(20, 'int32'),
      f: one(2, 'float'),
      i: one(3, 'int64'),
      s: one(4, 'bytes'),
      t: one(5, 'TensorProto'),
      g: one(6, 'GraphProto'),
      sparseTensor: one(22, 'SparseTensorProto'),
      tp: one(14, 'TypeProto'),
      floats: unpacked(7, 'float'),
      ints: unpacked(8, 'int64'),
      strings: many(9, 'bytes'),
      tensors: many(10, 'TensorProto'),
      graphs: many(11, 'GraphProto'),
      sparseTensors: many(23, 'SparseTensorProto'),
      typeProtos: many(15, 'TypeProto'),
    },
  },
  NodeProto: {
    fields: {
      input: many(1, 'string'),
      output: many(2, 'string'),
      name: one(3, 'string'),
      opType: one(4, 'string'),
      domain: one(7, 'string'),
      overload: one(8, 'string'),
      attribute: many(5, 'AttributeProto'),
      docString: one(6, 'string'),
      metadataProps: many(9, 'StringStringEntryProto'),
    },
  },
  TensorAnnotation: { fields: { tensorName: one(1, 'string'), quantParameterTensorNames: many(2, 'StringStringEntryProto') } },
  GraphProto: {
    fields: {
      node: many(1, 'NodeProto'),
      name: one(2, 'string'),
      initializer: many(5, 'TensorProto'),
      sparseInitializer: many(15, 'SparseTensorProto'),
      docString: one(10, 'string'),
      input: many(11, 'ValueInfoProto'),
      output: many(12, 'ValueInfoProto'),
      valueInfo: many(13, 'ValueInfoProto'),
      quantizationAnnotation: many(14, 'TensorAnnotation'),
      metadataProps: many(16, 'StringStringEntryProto'),
    },
  },
  TrainingInfoProto: {
    fields: {
      initialization: one(1, 'GraphProto'),
      algorithm: one(2, 'GraphProto'),
      initializationBinding: many(3, 'StringStringEntryProto'),
      updateBinding: many(4, 'StringStringEntryProto'),
    },
  },
  FunctionProto: {
    fields: {
      name: one(1, 'string'),
      input: many(4, 'string'),
      output: many(5, 'string'),
      attribute: many(6, 'string'),
      attributeProto: many(11, 'AttributeProto'),
      node: many(7, 'NodeProto'),
      docString: one(8, 'string'),
      opsetImport: many(9, 'OperatorSetIdProto'),
      domain: one(10, 'string'),
      overload: one(13, 'string'),
      valueInfo: many(12, 'ValueInfoProto'),
      metadataProps: many(14, 'StringStringEntryProto'),
    },
  },
  ModelProto: {
    fields: {
      irVersion: one(1, 'int64'),
      opsetImport: many(8, 'OperatorSetIdProto'),
      producerName: one(2, 'string'),
      producerVersion: one(3, 'string'),
      domain: one(4, 'string'),
      modelVersion: one(5, 'int64'),
      docString: one(6, 'string'),
      graph: one(7, 'GraphProto'),
      metadataProps: many(14, 'StringStringEntryProto'),
      trainingInfo: many(20, 'TrainingInfoProto'),
      functions: many(25, 'FunctionProto'),
    },
  },
};

/** onnx.proto is proto2: explicit presence (a float set to 0 is kept), unpacked repeated fields unless marked. */
function proto2(types: typeof messages): Record<string, protobuf.AnyNestedObject> {
  return Object.fromEntries(Object.entries(types).map(([name, type]) => [name, { edition: 'proto2', fields: type.fields, ...(type.nested ? { nested: proto2(type.nested) } : {}) }]));
}

const root = protobuf.Root.fromJSON({ nested: { onnx: { nested: proto2(messages) } } });
export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
export const DATA_TYPE = { FLOAT: 1, INT64: 7, FLOAT16: 10 } as const;
/** TensorProto.DataLocation.EXTERNAL */
export const EXTERNAL = 1;

/** The parts of the decoded messages this package touches (protobufjs objects carry the rest untouched). */
export interface OnnxTensor {
  name: string;
  dims: (number | { toNumber(): number })[];
  dataType: number;
  externalData: { key: string; value: string }[];
  dataLocation?: number;
  rawData?: Uint8Array;
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute: { name: string; type: number; i?: number }[];
}
export interface OnnxModel {
  graph: { node: OnnxNode[]; initializer: OnnxTensor[] };
}

export function decodeModel(bytes: Uint8Array): OnnxModel & protobuf.Message {
  return ModelProto.decode(bytes) as unknown as OnnxModel & protobuf.Message;
}

export function encodeModel(model: OnnxModel & protobuf.Message): Uint8Array {
  return ModelProto.encode(model).finish();
}

export function dimsOf(tensor: OnnxTensor): number[] {
  return tensor.dims.map((d) => (typeof d === 'number' ? d : d.toNumber()));
}

import { ImportRefused } from './errors';
import type { TensorDtype } from './tensorData';

/**
 * A reader for the one pickle a PyTorch weights file holds (`data.pkl` of torch.save's zip format): a state dict
 * of tensors. Nothing in it is executed. It understands exactly the opcodes such a pickle uses (protocols 2–4)
 * and exactly the globals a state dict names, as torch.load(weights_only=True) allows them:
 * collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and the typed
 * storages (torch.FloatStorage, …). Any other global or opcode is refused by name. Memo, stack and object
 * counts are bounded, and the reader is a loop over the bytes (no recursion).
 */

/** PyTorch storage class → element type (torch/storage.py's legacy typed storages). */
const STORAGE_DTYPES: Record<string, TensorDtype> = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** A storage named by a persistent id: its bytes are the archive member `data/<key>`. */
export interface PickledStorage {
  kind: 'storage';
  dtype: TensorDtype;
  key: string;
  numel: number;
}

/** A tensor view of a storage, as `_rebuild_tensor_v2(storage, offset, size, stride, …)` describes it. */
export interface PickledTensor {
  kind: 'tensor';
  storage: PickledStorage;
  offset: number;
  shape: number[];
  stride: number[];
}

interface Global {
  kind: 'global';
  module: string;
  name: string;
}
interface StorageType {
  kind: 'storage-type';
  dtype: TensorDtype;
}
interface Mark {
  kind: 'mark';
}
type Value = null | boolean | number | bigint | string | Buffer | Value[] | Map<Value, Value> | Global | StorageType | PickledStorage | PickledTensor;
type StackItem = Value | Mark;

const MARK: Mark = { kind: 'mark' };
const MAX_STACK = 1_000_000;
const MAX_MEMO = 4_000_000;
const MAX_STRING_BYTES = 64 * 1024 * 1024;

const ALLOWED_GLOBALS = new Set(['collections.OrderedDict', 'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter']);

/** Opcode byte → its name in pickletools, for refusals. */
const OPCODE_NAMES: Record<number, string> = {
  0x28: 'MARK', 0x2e: 'STOP', 0x30: 'POP', 0x31: 'POP_MARK', 0x32: 'DUP', 0x46: 'FLOAT', 0x49: 'INT', 0x4a: 'BININT',
  0x4b: 'BININT1', 0x4c: 'LONG', 0x4d: 'BININT2', 0x4e: 'NONE', 0x50: 'PERSID', 0x51: 'BINPERSID', 0x52: 'REDUCE',
  0x53: 'STRING', 0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x56: 'UNICODE', 0x58: 'BINUNICODE', 0x61: 'APPEND',
  0x62: 'BUILD', 0x63: 'GLOBAL', 0x64: 'DICT', 0x7d: 'EMPTY_DICT', 0x65: 'APPENDS', 0x67: 'GET', 0x68: 'BINGET',
  0x69: 'INST', 0x6a: 'LONG_BINGET', 0x6c: 'LIST', 0x5d: 'EMPTY_LIST', 0x6f: 'OBJ', 0x70: 'PUT', 0x71: 'BINPUT',
  0x72: 'LONG_BINPUT', 0x73: 'SETITEM', 0x74: 'TUPLE', 0x29: 'EMPTY_TUPLE', 0x75: 'SETITEMS', 0x47: 'BINFLOAT',
  0x80: 'PROTO', 0x81: 'NEWOBJ', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x8a: 'LONG1', 0x8b: 'LONG4', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES',
  0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8', 0x8e: 'BINBYTES8', 0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS',
  0x91: 'FROZENSET', 0x92: 'NEWOBJ_EX', 0x93: 'STACK_GLOBAL', 0x94: 'MEMOIZE', 0x95: 'FRAME', 0x96: 'BYTEARRAY8',
  0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Reads a state-dict pickle into {key → tensor view}; `file` names the archive member in errors. */
export function readStatePickle(data: Buffer, file: string): Map<string, PickledTensor> {
  const refuse = (what: string): never => {
    throw new ImportRefused(`${file}: ${what}; refused without running anything (a weights file holds only a state dict of tensors)`);
  };
  const stack: StackItem[] = [];
  const memo = new Map<number, Value>();
  let pos = 0;

  const need = (n: number): void => {
    if (n < 0 || pos + n > data.length) {
      refuse(`the pickle ends early (byte ${pos} of ${data.length})`);
    }
  };
  const u8 = (): number => {
    need(1);
    return data[pos++];
  };
  const u16 = (): number => {
    need(2);
    pos += 2;
    return data.readUInt16LE(pos - 2);
  };
  const u32 = (): number => {
    need(4);
    pos += 4;
    return data.readUInt32LE(pos - 4);
  };
  const bytes = (n: number): Buffer => {
    if (n > MAX_STRING_BYTES) {
      refuse(`a string of ${n} bytes`);
    }
    need(n);
    pos += n;
    return data.subarray(pos - n, pos);
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end < 0 || end - pos > 1024) {
      refuse('an unterminated GLOBAL name');
    }
    const text = data.toString('utf8', pos, end);
    pos = end + 1;
    return text;
  };
  const push = (v: StackItem): void => {
    if (stack.length >= MAX_STACK) {
      refuse(`more than ${MAX_STACK} values on the pickle stack`);
    }
    stack.push(v);
  };
  const pop = (): Value => {
    const v = stack.pop();
    if (v === undefined || isMark(v)) {
      return refuse('a malformed pickle (stack underflow)');
    }
    return v;
  };
  const top = (): Value => {
    const v = stack[stack.length - 1];
    if (v === undefined || isMark(v)) {
      return refuse('a malformed pickle (empty stack)');
    }
    return v;
  };
  const popMark = (): Value[] => {
    let i = stack.length - 1;
    while (i >= 0 && !isMark(stack[i])) {
      i--;
    }
    if (i < 0) {
      refuse('a malformed pickle (no MARK)');
    }
    const items = stack.splice(i + 1) as Value[];
    stack.pop();
    return items;
  };
  const put = (index: number): void => {
    if (memo.size >= MAX_MEMO && !memo.has(index)) {
      refuse(`more than ${MAX_MEMO} memo entries`);
    }
    memo.set(index, top());
  };
  const get = (index: number): void => {
    if (!memo.has(index)) {
      refuse(`a reference to memo entry ${index}, which was never stored`);
    }
    push(memo.get(index)!);
  };
  const global = (module: string, name: string): Value => {
    const qualified = `${module}.${name}`;
    if (module === 'torch' && name in STORAGE_DTYPES) {
      return { kind: 'storage-type', dtype: STORAGE_DTYPES[name] };
    }
    if (!ALLOWED_GLOBALS.has(qualified)) {
      refuse(`the pickle names ${qualified}, which is not allowed`);
    }
    return { kind: 'global', module, name };
  };
  const setItems = (target: Value, items: Value[]): void => {
    if (!(target instanceof Map) || items.length % 2) {
      refuse('SETITEMS on something that is not a dict');
    }
    for (let i = 0; i < items.length; i += 2) {
      (target as Map<Value, Value>).set(items[i], items[i + 1]);
    }
  };

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) {
          refuse('an unknown pickle protocol');
        }
        break;
      case 0x95: // FRAME: a length prefix only
        need(8);
        pos += 8;
        break;
      case 0x2e: { // STOP
        const result = pop();
        return stateDict(result, refuse);
      }
      case 0x28:
        push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        push([]);
        break;
      case 0x4e:
        push(null);
        break;
      case 0x88:
        push(true);
        break;
      case 0x89:
        push(false);
        break;
      case 0x4a: // BININT
        need(4);
        pos += 4;
        push(data.readInt32LE(pos - 4));
        break;
      case 0x4b:
        push(u8());
        break;
      case 0x4d:
        push(u16());
        break;
      case 0x8a: { // LONG1
        const n = u8();
        const raw = bytes(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) {
          v = (v << 8n) | BigInt(raw[i]);
        }
        if (n > 0 && raw[n - 1] & 0x80) {
          v -= 1n << BigInt(8 * n);
        }
        push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: // BINFLOAT
        need(8);
        pos += 8;
        push(data.readDoubleBE(pos - 8));
        break;
      case 0x58: // BINUNICODE
        push(bytes(u32()).toString('utf8'));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(bytes(u8()).toString('utf8'));
        break;
      case 0x43: // SHORT_BINBYTES
        push(Buffer.from(bytes(u8())));
        break;
      case 0x42: // BINBYTES
        push(Buffer.from(bytes(u32())));
        break;
      case 0x71:
        put(u8());
        break;
      case 0x72:
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68:
        get(u8());
        break;
      case 0x6a:
        get(u32());
        break;
      case 0x63: { // GLOBAL
        const module = line();
        push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') {
          refuse('STACK_GLOBAL without two names');
        }
        push(global(module as string, name as string));
        break;
      }
      case 0x74: // TUPLE
        push(popMark());
        break;
      case 0x85:
        push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        push([pop(), b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        push([pop(), b, c]);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) {
          refuse('APPEND to something that is not a list');
        }
        (list as Value[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) {
          refuse('APPENDS to something that is not a list');
        }
        (list as Value[]).push(...items);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x51: { // BINPERSID
        push(persistentStorage(pop(), refuse));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        push(reduce(callable, args, refuse));
        break;
      }
      case 0x62: { // BUILD: an OrderedDict's instance state (state_dict()'s `_metadata`), kept out of the result
        pop();
        if (!(top() instanceof Map)) {
          refuse('BUILD on something that is not an OrderedDict');
        }
        break;
      }
      default:
        refuse(`the pickle uses opcode ${OPCODE_NAMES[op] ?? 'unknown'} (0x${op.toString(16).padStart(2, '0')}) at byte ${pos - 1}, which a state dict does not need`);
    }
  }
}

function isMark(v: StackItem | undefined): v is Mark {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !Buffer.isBuffer(v) && (v as { kind?: string }).kind === 'mark';
}

function persistentStorage(pid: Value, refuse: (what: string) => never): PickledStorage {
  // ('storage', torch.<Type>Storage, key, location, numel)
  if (!Array.isArray(pid) || pid.length !== 5 || pid[0] !== 'storage') {
    return refuse('a persistent id that is not a storage');
  }
  const [, type, key, , numel] = pid;
  if (!isKind<StorageType>(type, 'storage-type') || typeof key !== 'string' || !/^[A-Za-z0-9_]{1,64}$/.test(key) || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
    return refuse(`a malformed storage reference ${describe(pid)}`);
  }
  return { kind: 'storage', dtype: type.dtype, key, numel };
}

function reduce(callable: Value, args: Value, refuse: (what: string) => never): Value {
  if (!isKind<Global>(callable, 'global') || !Array.isArray(args)) {
    return refuse(`REDUCE of ${describe(callable)}, which is not an allowed callable`);
  }
  const qualified = `${callable.module}.${callable.name}`;
  if (qualified === 'collections.OrderedDict') {
    if (args.length) {
      refuse('OrderedDict called with arguments');
    }
    return new Map();
  }
  if (qualified === 'torch._utils._rebuild_parameter') {
    if (!isKind<PickledTensor>(args[0], 'tensor')) {
      refuse('_rebuild_parameter of something that is not a tensor');
    }
    return args[0];
  }
  // torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
  const [storage, offset, size, stride] = args;
  const dims = (v: Value): v is number[] => Array.isArray(v) && v.length <= 8 && v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0);
  if (!isKind<PickledStorage>(storage, 'storage') || typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0 || !dims(size) || !dims(stride) || size.length !== stride.length) {
    return refuse('_rebuild_tensor_v2 with malformed arguments');
  }
  let last = offset;
  for (let i = 0; i < size.length; i++) {
    if (size[i] === 0) {
      last = -1;
      break;
    }
    last += (size[i] - 1) * stride[i];
  }
  if (last >= storage.numel && !(storage.numel === 0 && last <= 0)) {
    refuse(`a tensor [${size.join(', ')}] at offset ${offset} reaching element ${last} of a ${storage.numel}-element storage`);
  }
  return { kind: 'tensor', storage, offset, shape: size, stride };
}

function stateDict(result: Value, refuse: (what: string) => never): Map<string, PickledTensor> {
  if (!(result instanceof Map)) {
    return refuse('the pickle is not a dict');
  }
  const out = new Map<string, PickledTensor>();
  for (const [k, v] of result) {
    if (typeof k !== 'string' || !isKind<PickledTensor>(v, 'tensor')) {
      refuse(`entry ${describe(k)} is not a named tensor`);
    }
    out.set(k as string, v as PickledTensor);
  }
  return out;
}

function isKind<T extends { kind: string }>(v: Value | undefined, kind: T['kind']): v is Value & T {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map) && !Buffer.isBuffer(v) && (v as { kind?: string }).kind === kind;
}

function describe(v: Value): string {
  if (isKind<Global>(v, 'global')) {
    return `${v.module}.${v.name}`;
  }
  if (typeof v === 'string') {
    return `'${v.slice(0, 80)}'`;
  }
  return Array.isArray(v) ? 'a tuple' : typeof v;
}

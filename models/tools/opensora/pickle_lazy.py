"""PyTorch's zip weights format (`torch.save` since 1.6: `pytorch_model-0000N-of-0000M.bin`), read one tensor at
a time instead of loading the whole shard.

Layout (torch/serialization.py): a zip archive, stored without compression, holding `<name>/data.pkl`, a pickle of
the state dict in which every tensor is `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`
and every storage a persistent id `("storage", torch.<Type>Storage, key, location, numel)` whose bytes are the
member `<name>/data/<key>`. The pickle is read with an allow-list (an OrderedDict, tensors, storages: what
`torch.load(weights_only=True)` allows), keeping only each tensor's storage key, offset, shape and strides; a
tensor's bytes are read from the archive when asked for. Shapes are known as soon as the file is opened.
"""
import collections
import pickle
import zipfile

import torch

STORAGE_DTYPES = {"FloatStorage": torch.float32, "DoubleStorage": torch.float64, "HalfStorage": torch.float16,
                  "BFloat16Storage": torch.bfloat16, "LongStorage": torch.int64, "IntStorage": torch.int32,
                  "ShortStorage": torch.int16, "CharStorage": torch.int8, "ByteStorage": torch.uint8,
                  "BoolStorage": torch.bool}


class _Storage:
    def __init__(self, key, dtype, numel):
        self.key, self.dtype, self.numel = key, dtype, numel


class LazyTensor:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.shape, self.stride = storage, offset, tuple(size), tuple(stride)


def _rebuild_tensor(storage, offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    return LazyTensor(storage, offset, size, stride)


def _rebuild_parameter(data, requires_grad=False, backward_hooks=None):
    return data


class _StorageType:
    def __init__(self, name):
        self.dtype = STORAGE_DTYPES[name]


class _Unpickler(pickle.Unpickler):
    ALLOWED = {("collections", "OrderedDict"): collections.OrderedDict,
               ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
               ("torch._utils", "_rebuild_parameter"): _rebuild_parameter}

    def find_class(self, module, name):
        if (module, name) in self.ALLOWED:
            return self.ALLOWED[(module, name)]
        if module == "torch" and name in STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a weights file")

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and isinstance(pid[1], _StorageType)):
            raise pickle.UnpicklingError(f"unexpected persistent id {pid!r}")
        return _Storage(str(pid[2]), pid[1].dtype, int(pid[4]))


class NotZipFormat(Exception):
    """The file is not in the zip format (e.g. the legacy tar format, or not a torch file at all)."""


class LazyShard:
    """A state dict in the zip format: `keys()`, `shape(key)`, `read(key)` (one tensor, its own memory)."""

    def __init__(self, path):
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise NotZipFormat(path) from None
        pickles = [n for n in self.zip.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pickles) != 1:
            raise NotZipFormat(path)
        self.prefix = pickles[0][: -len("data.pkl")]
        with self.zip.open(pickles[0]) as f:
            state = _Unpickler(f).load()
        if not isinstance(state, dict) or not all(isinstance(v, LazyTensor) for v in state.values()):
            raise pickle.UnpicklingError("not a state dict of tensors")
        self.tensors = state

    def keys(self):
        return list(self.tensors)

    def shape(self, key):
        return self.tensors[key].shape

    def read(self, key):
        t = self.tensors[key]
        item = torch.empty((), dtype=t.storage.dtype).element_size()
        member = self.prefix + "data/" + t.storage.key
        try:
            info = self.zip.getinfo(member)
        except KeyError:
            raise pickle.UnpicklingError(f"tensor '{key}' refers to {member}, which the archive lacks") from None
        if info.compress_type != zipfile.ZIP_STORED or info.file_size != t.storage.numel * item:
            raise pickle.UnpicklingError(f"storage {member} of '{key}' has {info.file_size} bytes, expected "
                                         f"{t.storage.numel * item}")
        numel = 1
        for d in t.shape:
            numel *= d
        contiguous = all(t.stride[i] == _row_major(t.shape)[i] for i in range(len(t.shape)) if t.shape[i] > 1)
        if contiguous and t.offset + numel <= t.storage.numel:
            start, count = t.offset, numel
        else:
            start, count = 0, t.storage.numel
        with self.zip.open(member) as f:
            f.seek(start * item)
            raw = bytearray(count * item)
            view = memoryview(raw)
            got = 0
            while got < len(raw):
                n = f.readinto(view[got:])
                if not n:
                    raise pickle.UnpicklingError(f"storage {member} of '{key}' is truncated")
                got += n
        flat = torch.frombuffer(raw, dtype=t.storage.dtype) if count else torch.empty(0, dtype=t.storage.dtype)
        if contiguous and start == t.offset:
            return flat.reshape(t.shape)
        return torch.as_strided(flat, t.shape, t.stride, t.offset).contiguous()


def _row_major(shape):
    strides, acc = [], 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return list(reversed(strides))

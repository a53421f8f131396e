"""The safetensors file format, read lazily and written, without the `safetensors` package (Debian has none).

Layout (huggingface/safetensors, docs "Format"): an unsigned 64-bit little-endian header length N, N bytes of
UTF-8 JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__"?: {str: str}}`, then the
data buffer; offsets are relative to the buffer, tensors are contiguous little-endian, row-major, and the
buffer has no holes. Every rule is checked when a file is opened, so a truncated or edited file is refused
with its name before any tensor is read. Tensors are read one at a time (seek + read), never the whole file.
"""
import json
import os

import numpy as np
import torch

from untrusted_files import ImportRefused, json_depth, open_regular

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the reference implementation's limit
MAX_HEADER_DEPTH = 8  # {name: {"shape": [..]}} is 3 deep; "__metadata__" holds strings only
ITEM_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
NUMPY_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2", "I8": "i1",
                "U8": "u1", "BOOL": "?"}
TORCH_TO_CODE = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
                 torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
                 torch.bool: "BOOL"}
FLOAT_CODES = ("F64", "F32", "F16", "BF16")


class FormatError(Exception):
    """A file that is not valid safetensors; the message names the file."""


class TensorInfo:
    def __init__(self, name, dtype, shape, begin, end):
        self.name, self.dtype, self.shape, self.begin, self.end = name, dtype, tuple(shape), begin, end

    @property
    def numel(self):
        n = 1
        for d in self.shape:
            n *= d
        return n


class SafetensorsFile:
    """Validated header of one .safetensors file; `read(name)` loads one tensor as float32 (or its int dtype)."""

    def __init__(self, path):
        self.path = path
        try:
            opened = open_regular(path)
        except ImportRefused as err:
            raise FormatError(str(err)) from None
        with opened as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(8)
            if len(head) < 8:
                raise FormatError(f"{path}: not a safetensors file ({size} bytes, shorter than the 8-byte header length)")
            n = int.from_bytes(head, "little")
            if n > MAX_HEADER_BYTES or 8 + n > size:
                raise FormatError(f"{path}: truncated or not safetensors: header length {n} but file has {size} bytes")
            raw = f.read(n)
        depth = json_depth(raw)
        if depth > MAX_HEADER_DEPTH:
            raise FormatError(f"{path}: safetensors header nested {depth} levels deep, more than the "
                              f"{MAX_HEADER_DEPTH} the format uses")
        try:
            header = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            where = f"byte {err.start}" if isinstance(err, UnicodeDecodeError) else f"{err.msg} at character {err.pos}"
            raise FormatError(f"{path}: safetensors header is not valid JSON ({where})") from None
        if not isinstance(header, dict):
            raise FormatError(f"{path}: safetensors header is not a JSON object")
        self.metadata = header.pop("__metadata__", None) or {}
        self.data_start = 8 + n
        self.tensors = {}
        spans = []
        for name, entry in header.items():
            info = self._entry(name, entry)
            self.tensors[name] = info
            spans.append((info.begin, info.end, name))
        spans.sort()
        cursor = 0
        for begin, end, name in spans:
            if begin != cursor:
                raise FormatError(f"{path}: tensor '{name}' starts at buffer byte {begin}, expected {cursor} "
                                  "(overlap or hole in the data buffer)")
            cursor = end
        if self.data_start + cursor != size:
            raise FormatError(f"{path}: truncated or padded: the header describes {self.data_start + cursor} bytes, "
                              f"the file has {size}")

    def _entry(self, name, entry):
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise FormatError(f"{self.path}: header entry for '{name}' must have exactly dtype, shape, data_offsets")
        dtype, shape, offsets = entry["dtype"], entry["shape"], entry["data_offsets"]
        if dtype not in ITEM_BYTES:
            raise FormatError(f"{self.path}: tensor '{name}' has unsupported dtype {dtype!r}")
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            raise FormatError(f"{self.path}: tensor '{name}' has an invalid shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(isinstance(o, int) for o in offsets)
                and 0 <= offsets[0] <= offsets[1]):
            raise FormatError(f"{self.path}: tensor '{name}' has invalid data_offsets {offsets!r}")
        info = TensorInfo(name, dtype, shape, offsets[0], offsets[1])
        if info.end - info.begin != info.numel * ITEM_BYTES[dtype]:
            raise FormatError(f"{self.path}: tensor '{name}' {dtype}{list(shape)} needs "
                              f"{info.numel * ITEM_BYTES[dtype]} bytes but its data_offsets span {info.end - info.begin}")
        return info

    def shapes(self):
        return {name: info.shape for name, info in self.tensors.items()}

    def read(self, name):
        """One tensor; floating types are returned as float32 (bf16/f16 widened exactly)."""
        info = self.tensors[name]
        buf = bytearray(info.end - info.begin)
        with open_regular(self.path) as f:
            f.seek(self.data_start + info.begin)
            if f.readinto(buf) != len(buf):
                raise FormatError(f"{self.path}: could not read tensor '{name}' (file shrank while reading)")
        if info.dtype == "BF16":
            wide = np.frombuffer(buf, dtype="<u2").astype("<u4") << 16
            arr = wide.view("<f4")
        else:
            arr = np.frombuffer(buf, dtype=NUMPY_DTYPES[info.dtype])
            if info.dtype in FLOAT_CODES:
                arr = arr.astype("<f4")
        return torch.from_numpy(np.array(arr, copy=True)).reshape(info.shape)


def write(path, tensors, metadata=None):
    """Write {name: tensor} as safetensors (header padded with spaces to 8 bytes, tensors in name order)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        code = TORCH_TO_CODE[t.dtype]
        raw = (t.view(torch.int16) if code == "BF16" else t).numpy().tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for raw in blobs:
            f.write(raw)

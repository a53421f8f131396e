"""ONNX export helpers: opset-16 export of one unit, and external weight files shared between graphs.

A WeightFile collects initializers from one or more graphs, stores each distinct tensor (same dtype and
bytes) once, streaming it to disk, and points every graph's initializers at the stored offset. The block graph
and its TDTM variant go through the same WeightFile, so both reference one file.
"""
import hashlib
import inspect
import os
import tempfile

import onnx
import torch
from onnx import numpy_helper

OPSET = 16
# Newer torch (a venv on a Mac) defaults to the dynamo exporter; these graphs are made for the tracing one.
TRACING_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
ALIGN_BYTES = 64  # keep every tensor aligned for mmap-friendly loading


def export_graph(module, args, input_names, output_names, dynamic_axes):
    """Trace `module(*args)` to an in-memory ONNX model (opset 16, constant folding on).

    The exporter writes to a temporary file rather than a BytesIO, so no extra in-memory copy of the weights
    exists while it runs (this sets the peak memory of importing a large checkpoint)."""
    with tempfile.TemporaryFile() as f:
        with torch.no_grad():
            torch.onnx.export(module, args, f, opset_version=OPSET, input_names=input_names,
                              output_names=output_names, dynamic_axes=dynamic_axes, do_constant_folding=True,
                              **TRACING_EXPORTER)
            outputs = module(*args)
        f.seek(0)
        data = f.read()
    outputs = outputs if isinstance(outputs, tuple) else (outputs,)
    model = onnx.load_from_string(data)
    del data
    fix_static_dims(model, dict(zip(output_names, outputs)), dynamic_axes)
    onnx.checker.check_model(model)
    return model


def fix_static_dims(model, outputs, dynamic_axes):
    """Replace auto-named output dims (e.g. "Addh_dim_2") by their real sizes; keep declared symbolic axes."""
    for out in model.graph.output:
        declared = dynamic_axes.get(out.name, {})
        for axis, dim in enumerate(out.type.tensor_type.shape.dim):
            if axis in declared:
                dim.dim_param = declared[axis]
            else:
                dim.dim_value = int(outputs[out.name].shape[axis])


class WeightFile:
    """Streams tensors into one external-data file as graphs are externalized (only offsets stay in memory)."""

    def __init__(self, folder, name):
        self.folder, self.name = folder, name
        self.offsets = {}  # content key -> (offset, length)
        self.size = 0
        self.file = None

    def _store(self, data_type, raw):
        key = (data_type, hashlib.sha256(raw).hexdigest())
        if key not in self.offsets:
            if self.file is None:
                self.file = open(os.path.join(self.folder, self.name), "wb")
            pad = (-self.size) % ALIGN_BYTES
            if pad:
                self.file.write(b"\0" * pad)
                self.size += pad
            self.offsets[key] = (self.size, len(raw))
            self.file.write(raw)
            self.size += len(raw)
        return self.offsets[key]

    def externalize(self, model):
        """Move every initializer of `model` into this file; returns the bytes the graph keeps resident."""
        resident = 0
        for init in model.graph.initializer:
            raw = init.raw_data if init.HasField("raw_data") else numpy_helper.to_array(init).tobytes()
            offset, length = self._store(init.data_type, raw)
            del raw
            init.ClearField("raw_data")
            for field in ("float_data", "int32_data", "int64_data", "double_data"):
                init.ClearField(field)
            del init.external_data[:]
            for k, v in (("location", self.name), ("offset", str(offset)), ("length", str(length))):
                entry = init.external_data.add()
                entry.key, entry.value = k, v
            init.data_location = onnx.TensorProto.EXTERNAL
            resident += length
        return resident

    def write(self):
        """Finish the file (an empty one when no graph had initializers)."""
        if self.file is None:
            open(os.path.join(self.folder, self.name), "wb").close()
        else:
            self.file.close()
            self.file = None


def save_graph(model, folder, file_name):
    with open(os.path.join(folder, file_name), "wb") as f:
        f.write(model.SerializeToString())


def graph_io_spec(model, kind):
    """[{name, dtype, shape}] of the graph's inputs or outputs, symbolic dims as their names."""
    dtypes = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT64: "int64",
              onnx.TensorProto.INT32: "int32", onnx.TensorProto.BOOL: "bool"}
    values = model.graph.input if kind == "inputs" else model.graph.output
    init_names = {i.name for i in model.graph.initializer}
    specs = []
    for v in values:
        if v.name in init_names:
            continue
        t = v.type.tensor_type
        shape = [d.dim_param if d.dim_param else int(d.dim_value) for d in t.shape.dim]
        specs.append({"name": v.name, "dtype": dtypes[t.elem_type], "shape": shape})
    return specs

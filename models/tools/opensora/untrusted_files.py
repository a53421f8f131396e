"""Files from the user's checkpoint folders, opened as regular files inside their folder, and JSON read within bounds.

Every file is lstat'ed before it is opened: a named pipe (whose open() would wait for a writer forever), a socket or
a device is refused, and so is a symbolic link that leaves the folder. The one exception is the Hugging Face cache
layout (`models--org--name/snapshots/<revision>/file -> ../../blobs/<hash>`), where every file is such a link into
the same repository's `blobs/` folder. JSON (config.json, the shard index, the safetensors header) is parsed only
after its size and its nesting depth are checked without recursion, so a hostile file gets a refusal naming it,
never a RecursionError. Messages name the file and what it is, never its contents.
"""
import json
import os
import re
import stat

import numpy as np


class ImportRefused(Exception):
    """A problem with the user's files; the message names the file (and key) and what is wrong."""


def describe_kind(mode):
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _inside(path, folder):
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def allowed_roots(folder):
    """The folder itself, plus its repository's blobs/ when it is a Hugging Face cache snapshot."""
    real = os.path.realpath(folder)
    roots = [real]
    parent = os.path.dirname(real)
    if os.path.basename(parent) == "snapshots":
        blobs = os.path.join(os.path.dirname(parent), "blobs")
        if os.path.isdir(blobs):
            roots.append(os.path.realpath(blobs))
    return roots


def regular_file(folder, name, what=None):
    """The path of `name` in `folder` after checking it is a regular file there; None when it does not exist.

    Refuses (ImportRefused) a name that climbs out, a special file, or a link leaving the folder."""
    label = what or name
    path = os.path.join(folder, name)
    if os.path.isabs(name) or os.pardir in name.replace("\\", "/").split("/"):
        raise ImportRefused(f"{path}: {label} would lie outside {folder}")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(info.st_mode):
        target = os.path.realpath(path)
        if not os.path.exists(target):
            raise ImportRefused(f"{path}: a symbolic link that leads nowhere")
        if not any(_inside(target, root) for root in allowed_roots(folder)):
            raise ImportRefused(f"{path}: a symbolic link leaving {folder}; copy the file itself into the folder")
        info = os.stat(target)
    if not stat.S_ISREG(info.st_mode):
        raise ImportRefused(f"{path}: {describe_kind(info.st_mode)}, not a regular file")
    return path


def open_regular(path):
    """Opens a checked file for reading without blocking, refusing it if it is no longer a regular file."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise ImportRefused(f"{path}: {describe_kind(mode)}, not a regular file")
    return os.fdopen(fd, "rb")


_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')


def json_depth(raw):
    """Deepest nesting of objects/arrays in JSON text, counted without recursion (strings skipped)."""
    bare = np.frombuffer(_STRING.sub(b'""', raw), dtype=np.uint8)
    if bare.size == 0:
        return 0
    opens = (bare == ord("{")) | (bare == ord("["))
    closes = (bare == ord("}")) | (bare == ord("]"))
    return int(np.cumsum(opens.astype(np.int64) - closes.astype(np.int64)).max(initial=0))


def parse_json(raw, path, max_depth):
    """Parses bytes already read, after the depth check; errors give the position, not the text."""
    depth = json_depth(raw)
    if depth > max_depth:
        raise ImportRefused(f"{path}: JSON nested {depth} levels deep, more than the {max_depth} this file may have")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as err:
        raise ImportRefused(f"{path}: not valid JSON (not UTF-8 at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise ImportRefused(f"{path}: not valid JSON ({err.msg} at line {err.lineno} column {err.colno})") from None


def read_json(path, max_bytes, max_depth=16):
    """A checked file's JSON, refused when larger than max_bytes or nested deeper than max_depth."""
    with open_regular(path) as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise ImportRefused(f"{path}: larger than the {max_bytes} bytes such a file may have")
    return parse_json(raw, path, max_depth)

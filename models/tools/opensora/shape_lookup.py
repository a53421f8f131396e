"""Reading sizes off a checkpoint's key → shape map (the mirrors' from_shapes use it)."""


def shape_getter(shapes, prefix):
    """need(key): the shape of prefix + key; a KeyError naming the full key when the checkpoint lacks it."""
    def need(key):
        if prefix + key not in shapes:
            raise KeyError(prefix + key)
        return shapes[prefix + key]
    return need

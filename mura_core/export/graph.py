"""The serving graph of a run: raw 8-bit images in, probabilities out.

The graph folds in what the package does between a decoded image and the model (the
family's normalisation and the replication of the grayscale channel), so an exported
artifact needs nothing from this package:

* input ``image``: ``uint8 [batch, H, W, 1]``, grayscale images already resized to the
  model's input size (as ``mura predict`` decodes them: luminance, bilinear resizing);
* input ``body_part`` (``route`` ensembles only): ``int32 [batch]``, the index of each
  image's body part in :data:`registry.BODY_PARTS`;
* output ``probability``: ``float32 [batch]``, the probability that the image is
  abnormal (NaN for a body part a ``route`` ensemble has no member for).

An ensemble is one graph: ``avg`` averages its members' probabilities inside it,
``route`` takes each image's from the member of its body part.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mura_core.errors import MuraError

__all__ = ["IMAGE_INPUT", "BODY_PART_INPUT", "PROBABILITY_OUTPUT", "ServingGraph", "serving_graph"]

IMAGE_INPUT = "image"
BODY_PART_INPUT = "body_part"
PROBABILITY_OUTPUT = "probability"


@dataclass
class ServingGraph:
    """A Keras model with the serving signature, and what describes it."""

    model: Any
    image_size: tuple[int, int]
    route: bool
    #: Body parts a ``route`` graph has a member for.
    covered: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        import numpy as np

        # one call on a blank image: Keras' ONNX export requires a model called once
        inputs = {IMAGE_INPUT: np.zeros((1, *self.image_size, 1), np.uint8)}
        if self.route:
            inputs[BODY_PART_INPUT] = np.zeros((1,), np.int32)
        self.model(inputs)

    def signature(self) -> dict[str, list[dict[str, Any]]]:
        """Inputs and outputs as recorded in ``export.json`` (``None``: any batch size)."""
        height, width = self.image_size
        inputs = [{"name": IMAGE_INPUT, "shape": [None, height, width, 1], "dtype": "uint8"}]
        if self.route:
            inputs.append({"name": BODY_PART_INPUT, "shape": [None], "dtype": "int32"})
        outputs = [{"name": PROBABILITY_OUTPUT, "shape": [None], "dtype": "float32"}]
        return {"inputs": inputs, "outputs": outputs}


def _layers() -> tuple[type, type]:
    """The two layers of the serving graph (defined on first use: Keras is heavy)."""
    import keras

    from mura_core.data.pipeline import normalize

    class FoldedPreprocessing(keras.layers.Layer):
        """uint8 grayscale images to the member's normalised float32 input."""

        def __init__(self, preprocessing: str, channels: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.preprocessing, self.channels = preprocessing, channels

        def call(self, images: Any) -> Any:
            return normalize(images, self.preprocessing, self.channels)

    class RouteByBodyPart(keras.layers.Layer):
        """Each row's probability from the member column its body part maps to.

        Written with one-hot products only (no integer clipping or gathering), which
        every format converts to its builtin operations.
        """

        def __init__(self, table: list[int], **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.table = table

        def call(self, probabilities: Any, body_parts: Any) -> Any:
            import numpy as np
            import tensorflow as tf

            columns = int(probabilities.shape[-1])
            routes = np.zeros((len(self.table), columns), np.float32)  # part -> member
            for part, column in enumerate(self.table):
                if column >= 0:
                    routes[part, column] = 1.0
            # an index outside the table one-hot encodes to zeros: uncovered
            weights = tf.one_hot(body_parts, len(self.table)) @ tf.constant(routes)
            chosen = tf.reduce_sum(probabilities * weights, axis=-1)
            covered = tf.reduce_sum(weights, axis=-1)
            # NaN where uncovered as 0 / 0 (tf2onnx turns a where() with NaN into NaN rows)
            return chosen / covered * covered

    return FoldedPreprocessing, RouteByBodyPart


def _member_probability(model: Any, name: str, image: Any, fold: type, key: str) -> Any:
    """One member's probabilities ``[batch]`` from the uint8 image input."""
    import keras

    from mura_core.data.pipeline import input_spec

    spec = input_spec(name)
    model.name = f"member_{key}"  # unique in the graph: members may share a name
    normalised = fold(spec.preprocessing, spec.channels, name=f"preprocessing_{key}")(image)
    return keras.ops.reshape(model(normalised, training=False), (-1,))


def _image_size(names: list[str]) -> tuple[int, int]:
    from mura_core.data.pipeline import input_spec

    sizes = {tuple(input_spec(name).image_size) for name in names}
    if len(sizes) != 1:
        listed = ", ".join("x".join(map(str, size)) for size in sorted(sizes))
        raise MuraError(f"cannot export members of different input sizes ({listed}) as one graph")
    return next(iter(sizes))  # type: ignore[return-value]


def serving_graph(loaded: Any) -> ServingGraph:
    """The serving graph of a loaded run (``load_run``): a single model or an ensemble."""
    import keras

    from registry import BODY_PARTS

    fold, route_layer = _layers()
    if not hasattr(loaded, "predict_rows"):  # a single run
        height, width = _image_size([loaded.name])
        image = keras.Input((height, width, 1), dtype="uint8", name=IMAGE_INPUT)
        probability = _member_probability(loaded.model, loaded.name, image, fold, "model")
        model = keras.Model({IMAGE_INPUT: image}, {PROBABILITY_OUTPUT: probability})
        return ServingGraph(model, (height, width), route=False)
    present = [member for member in loaded.specs if member.key in loaded.members]
    height, width = _image_size([loaded.members[m.key].name for m in present])
    image = keras.Input((height, width, 1), dtype="uint8", name=IMAGE_INPUT)
    columns = [
        _member_probability(
            loaded.members[m.key].model, loaded.members[m.key].name, image, fold, str(i)
        )
        for i, m in enumerate(present)
    ]
    stacked = keras.ops.stack(columns, axis=-1)
    inputs = {IMAGE_INPUT: image}
    if loaded.combination == "avg":
        probability = keras.ops.mean(stacked, axis=-1)
    else:
        # as in combine(): a later member covering a body part takes precedence
        table = [-1] * len(BODY_PARTS)
        for column, member in enumerate(present):
            for index, part in enumerate(BODY_PARTS):
                if member.body_part in (None, part):
                    table[index] = column
        body_part = keras.Input((), dtype="int32", name=BODY_PART_INPUT)
        inputs[BODY_PART_INPUT] = body_part
        probability = route_layer(table, name="route")(stacked, body_part)
    model = keras.Model(inputs, {PROBABILITY_OUTPUT: probability})
    if loaded.combination == "avg":
        return ServingGraph(model, (height, width), route=False)
    covered = [part for index, part in enumerate(BODY_PARTS) if table[index] >= 0]
    return ServingGraph(model, (height, width), route=True, covered=covered)

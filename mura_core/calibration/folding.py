"""Temperature scaling inside a Keras model: its output ``Dense`` layer's logit divided by T.

Every family ends in ``Dense(1, sigmoid)`` (the layer Grad-CAM takes the logit of), so
dividing that layer's kernel and bias by ``T`` makes the model output ``sigmoid(z / T)``
exactly: ``predict``, ``submit``, ``explain`` and the exported graph then all give the
calibrated probability with no operation added.
"""

from __future__ import annotations

from typing import Any

from mura_core.errors import MuraError

__all__ = ["fold_temperature", "logit_model", "output_layer"]


def output_layer(model: Any) -> Any:
    """The model's last layer, a ``Dense`` with a sigmoid activation.

    Raises:
        MuraError: the model ends otherwise (its logit cannot be scaled).
    """
    head = model.layers[-1]
    sigmoid = getattr(getattr(head, "activation", None), "__name__", "") == "sigmoid"
    if not sigmoid or getattr(head, "kernel", None) is None:
        raise MuraError(f"model {model.name} does not end in a sigmoid Dense layer: "
                        "temperature scaling needs its logit")  # fmt: skip
    return head


def logit_model(model: Any) -> Any:
    """A model sharing ``model``'s layers whose output is the logit before the sigmoid."""
    import keras

    head = output_layer(model)
    linear = keras.layers.Dense(int(head.units), name="logit")
    logit = linear(head.input)
    linear.set_weights(head.get_weights())
    return keras.Model(model.inputs, logit)


def fold_temperature(model: Any, temperature: float) -> None:
    """Divide ``model``'s output logit by ``temperature``, in place."""
    import keras

    head = output_layer(model)
    head.kernel.assign(keras.ops.divide(head.kernel, temperature))
    if head.bias is not None:
        head.bias.assign(keras.ops.divide(head.bias, temperature))

"""Looking inside Keras models: the chain of layers, where the code is, the output activation.

The one module (with ``training``, which reads the compiled settings) that uses Keras's
private attributes (``_nodes_by_depth``, ``_keras_history``, ``_inbound_nodes``,
``_build_shapes_dict``); a Keras upgrade that breaks them breaks only this file.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SUPPORTED_SHAPES = (
    "split_autoencoder supports one chain of layers from one input of shape (n, features) to "
    "one output of the same width, each layer taking the previous layer's output (Dense, "
    "Activation, Dropout, normalization and noise layers, possibly inside nested "
    "Sequential/Functional models), with at least one hidden layer; built as keras.Sequential, "
    "with the functional API, or as a subclassed model with .encoder and .decoder attributes"
)

ACTIVATION_LAYERS = ("Activation", "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax")
"""Layers that only apply an activation: right after the code, they belong to the encoder."""

PASS_THROUGH_LAYERS = ("Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout",
                       "BatchNormalization", "LayerNormalization", "UnitNormalization")
"""Layers that keep the width and may stand between a layer and its activation."""


def chain_of(model: Any, depth: int = 0) -> list[Any]:
    """Return the layers of ``model`` in the order data flows through them, nested models
    flattened; raise ``ValueError`` when the layers do not form one chain."""
    import keras

    if depth > 20:
        raise ValueError(f"models nested too deeply. {SUPPORTED_SHAPES}")
    if not isinstance(model, keras.Model):
        if isinstance(model, keras.layers.InputLayer):
            return []
        return [model]
    if isinstance(model, keras.Sequential):
        return [layer for sub in model.layers for layer in chain_of(sub, depth + 1)]
    if not hasattr(model, "_nodes_by_depth"):
        raise ValueError(
            f"cannot see inside the subclassed model {model.name!r}: give it .encoder and "
            f".decoder attributes, or build it as keras.Sequential or with the functional API. "
            f"{SUPPORTED_SHAPES}"
        )
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ValueError(
            f"model {model.name!r} has {len(model.inputs)} inputs and {len(model.outputs)} "
            f"outputs, not one of each. {SUPPORTED_SHAPES}"
        )
    chain: list[Any] = []
    tensor = model.outputs[0]
    start = model.inputs[0]
    while tensor is not start:
        operation, node_index, _ = tensor._keras_history
        node = operation._inbound_nodes[node_index]
        inputs = list(node.input_tensors)
        if len(inputs) != 1:
            raise ValueError(
                f"layer {operation.name!r} of {model.name!r} takes {len(inputs)} inputs: the "
                f"model branches. {SUPPORTED_SHAPES}"
            )
        chain[:0] = chain_of(operation, depth + 1)
        tensor = inputs[0]
    users = [op for op in model.operations if not isinstance(op, keras.layers.InputLayer)]
    flat_users = {id(layer) for op in users for layer in chain_of(op, depth + 1)}
    if flat_users != {id(layer) for layer in chain}:
        raise ValueError(f"model {model.name!r} has layers off the main path. {SUPPORTED_SHAPES}")
    return chain


def input_width(model: Any) -> int | None:
    """The input width of a built model or layer, or None when it is not known."""
    try:
        shape = model.input_shape if hasattr(model, "inputs") and model.inputs else None
    except (AttributeError, ValueError):
        shape = None
    if shape is None:
        spec = getattr(model, "_build_shapes_dict", None) or {}
        shape = next(iter(spec.values()), None)
    if isinstance(shape, list):
        shape = shape[0] if len(shape) == 1 else None
    if shape is None or len(shape) != 2 or shape[-1] is None:
        return None
    return int(shape[-1])


def output_activation(autoencoder: Any) -> tuple[str, str] | None:
    """Return ``(layer name, activation name)`` of the model's last activation, if known."""
    try:
        chain = (chain_of(autoencoder.decoder) if hasattr(autoencoder, "decoder")
                 else chain_of(autoencoder))
    except (ValueError, AttributeError):
        return None
    for layer in reversed(chain):
        kind = type(layer).__name__
        if kind in ("Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout"):
            continue
        if kind in ("ReLU", "Softmax"):
            return layer.name, kind.lower()
        activation = getattr(layer, "activation", None)
        name = getattr(activation, "__name__", None)
        return (layer.name, name) if name else None
    return None


def _is(layer: Any, kinds: tuple[str, ...]) -> bool:
    return type(layer).__name__ in kinds


def chain_and_code(autoencoder: Any) -> tuple[list[Any], int, int]:
    """Return ``(layers in order, index of the code's last layer, input width)``.

    The code is the layer named ``"code"``, else the narrowest hidden layer with weights before
    the output layer (the first of equally narrow ones); for a subclassed model with
    ``.encoder`` and ``.decoder``, the encoder's last layer. Activation layers after the code,
    also behind a normalization or dropout layer, belong to the encoder (the code is taken
    after its activation). Raises ``ValueError`` saying what is supported.
    """
    import keras

    if not isinstance(autoencoder, keras.Model):
        raise ValueError(f"expected a keras.Model, got {type(autoencoder).__name__}")
    encoder_part = None
    if not isinstance(autoencoder, keras.Sequential) and not hasattr(
            autoencoder, "_nodes_by_depth"):
        sub_encoder = getattr(autoencoder, "encoder", None)
        sub_decoder = getattr(autoencoder, "decoder", None)
        if not (isinstance(sub_encoder, keras.layers.Layer)
                and isinstance(sub_decoder, keras.layers.Layer)):
            chain_of(autoencoder)  # raises: a subclassed model without encoder/decoder
        encoder_part = chain_of(sub_encoder)
        chain = encoder_part + chain_of(sub_decoder)
        width = input_width(sub_encoder)
    else:
        chain = chain_of(autoencoder)
        if isinstance(autoencoder, keras.Sequential) and not autoencoder.built:
            dense = [layer for layer in chain if isinstance(layer, keras.layers.Dense)]
            if not dense:
                raise ValueError(
                    "this Sequential model was never called and has no Dense layer to tell its "
                    "input width: start it with keras.Input(shape=(features,))"
                )
            autoencoder.build((None, dense[-1].units))
        width = input_width(autoencoder)
    if width is None:
        raise ValueError(f"cannot tell the input width of {autoencoder.name!r}: start it with "
                         f"keras.Input(shape=(features,)). {SUPPORTED_SHAPES}")
    if not chain:
        raise ValueError(f"{autoencoder.name!r} has no layers. {SUPPORTED_SHAPES}")
    widths = _widths(autoencoder, chain, width)
    if encoder_part is not None:
        return chain, len(encoder_part) - 1, width
    output_start = len(chain) - 1  # the output layer and the activations after it
    while output_start > 0 and _is(chain[output_start], ACTIVATION_LAYERS):
        output_start -= 1
    hidden = [i for i in range(output_start) if chain[i].weights]  # layers that learn
    named = [i for i in range(output_start) if chain[i].name == "code"]
    if not hidden and not named:
        raise ValueError(f"{autoencoder.name!r} has no hidden layer between its input and "
                         f"its output layer, so it has no code. {SUPPORTED_SHAPES}")
    code = named[0] if named else min(hidden, key=lambda i: (widths[i], i))
    after = code + 1  # an activation after the code, perhaps behind normalization or dropout
    while after < output_start and _is(chain[after], PASS_THROUGH_LAYERS + ACTIVATION_LAYERS):
        if _is(chain[after], ACTIVATION_LAYERS):
            code = after
        after += 1
    return chain, code, width


def _widths(autoencoder: Any, chain: list[Any], width: int) -> list[int]:
    """The output width of every layer of ``chain``, checking that each output is (n, width)."""
    import keras

    x = keras.Input(shape=(width,), name="features")  # named: no auto-name counter used
    widths = []
    for layer in chain:
        x = layer(x)
        if len(x.shape) != 2:
            raise ValueError(f"layer {layer.name!r} outputs shape {x.shape}, not (n, width). "
                             f"{SUPPORTED_SHAPES}")
        widths.append(int(x.shape[-1]))
    if widths[-1] != width:
        raise ValueError(f"{autoencoder.name!r} maps {width} inputs to {widths[-1]} "
                         f"outputs, so it is not an autoencoder. {SUPPORTED_SHAPES}")
    return widths


def check_split(autoencoder: Any, encoder: Any, decoder: Any, width: int) -> None:
    """Raise ``ValueError`` unless ``decoder(encoder(x))`` equals ``autoencoder(x)`` on a probe."""
    probe = np.random.default_rng(0).random((8, width), dtype=np.float32)
    whole = np.asarray(autoencoder(probe, training=False))
    halves = np.asarray(decoder(encoder(probe, training=False), training=False))
    if whole.shape != halves.shape or not np.allclose(whole, halves, rtol=1e-4, atol=1e-5):
        raise ValueError(
            f"could not split {autoencoder.name!r}: decoder(encoder(x)) differs from "
            f"autoencoder(x), so its call does not run its layers as one chain. "
            f"{SUPPORTED_SHAPES}"
        )

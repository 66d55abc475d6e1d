"""Tests for watching the map form (MapRecorder, animate_map, plot_map_snapshots) and for the
"why is this digit here?" explorer (why_here_explorer, plot_why_here)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import keras
import matplotlib
import numpy as np
import pytest

import autoenc_helpers as ah
from _autoenc import explorers

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    pixels, labels = ah.load_digits_file()
    return pixels[:200], labels[:200]


@pytest.fixture(scope="module")
def trained(data):
    """A small model trained 12 epochs with a recorder every 5: (recorder, encoder, decoder)."""
    pixels, _ = data
    keras.utils.set_random_seed(1)
    model, encoder, decoder = ah.build_autoencoder()
    model.compile(optimizer="adam", loss="mean_squared_error")
    recorder = ah.MapRecorder(encoder, pixels, every=5)
    ah.train_autoencoder(model, pixels, epochs=12, batch_size=32, callbacks=[recorder], verbose=0)
    return recorder, encoder, decoder


def test_recorder_keeps_epoch_0_every_n_and_the_last(trained, data):
    recorder, encoder, _ = trained
    assert recorder.epochs == [0, 5, 10, 12]
    assert recorder.maps.shape == (4, 200, 2) and recorder.maps.dtype == np.float32
    np.testing.assert_allclose(recorder.maps[-1], ah.encode(encoder, data[0]), atol=1e-6)
    assert not np.allclose(recorder.maps[0], recorder.maps[-1])  # the map moved
    assert recorder.losses[0] > recorder.losses[-1] > 0


def test_recorder_works_with_fit_too(data):
    pixels, _ = data
    keras.utils.set_random_seed(1)
    model, encoder, _ = ah.build_autoencoder()
    model.compile(optimizer="adam", loss="mean_squared_error")
    recorder = ah.MapRecorder(encoder, pixels, every=3)
    history = model.fit(pixels, pixels, epochs=4, batch_size=64, verbose=0, callbacks=[recorder])
    assert recorder.epochs == [0, 3, 4]
    assert recorder.losses[1:] == pytest.approx([history.history["loss"][2],
                                                 history.history["loss"][3]])


@pytest.mark.parametrize("every", [0, -1, 2.5, True])
def test_recorder_refuses_a_bad_every(every, trained, data):
    with pytest.raises(ValueError, match="every"):
        ah.MapRecorder(trained[1], data[0], every=every)


def test_recorder_refuses_data_of_the_wrong_width(trained, data):
    with pytest.raises(ValueError, match=r"\(n, 64\)"):
        ah.MapRecorder(trained[1], data[0][:, :10])


def test_animation_is_self_contained_html_with_one_frame_per_snapshot(trained, data):
    html = ah.animate_map(trained[0], data[1]).data
    frames = re.findall(r"data:image/png;base64,", html)
    assert len(frames) == 4
    assert "http://" not in html and "https://" not in html.replace("https://www.w3.org", "")


def test_animation_keeps_at_most_max_frames_first_and_last_included(trained, data):
    epochs = list(range(0, 100, 2))
    maps = np.random.default_rng(0).normal(size=(len(epochs), 200, 2))
    html = ah.animate_map((epochs, [0.1] * len(epochs), maps), data[1], max_frames=5).data
    assert html.count("data:image/png;base64,") == 5


def test_animation_refuses_nan_maps_and_wrong_labels(trained, data):
    maps = np.zeros((2, 200, 2))
    maps[1, 7] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ah.animate_map(([0, 1], [0.1, 0.1], maps), data[1])
    with pytest.raises(ValueError, match="labels"):
        ah.animate_map(trained[0], data[1][:10])


def test_snapshots_have_fixed_equal_axes_and_name_missing_epochs(trained, data):
    fig = ah.plot_map_snapshots(trained[0], data[1], epochs=(0, 5, 12))
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title().splitlines()[0] for ax in axes] == [
        "after 0 epochs", "after 5 epochs", "after 12 epochs"]
    assert len({ax.get_xlim() for ax in axes}) == 1 and len({ax.get_ylim() for ax in axes}) == 1
    with pytest.raises(ValueError, match=r"\[7\].*\[0, 5, 10, 12\]"):
        ah.plot_map_snapshots(trained[0], data[1], epochs=(0, 7))


def test_neighbour_tables_leave_out_the_item_itself():
    values = np.array([[0.0], [1.0], [3.0], [7.0]])
    pixel_nn, map_nn = explorers.neighbour_tables(values, values[::-1].copy(), k=2)
    assert pixel_nn.tolist() == [[1, 2], [0, 2], [1, 0], [2, 1]]
    assert map_nn.tolist() == [[1, 2], [2, 3], [3, 1], [2, 1]]


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node to run the JavaScript")
@pytest.mark.parametrize("activation", ["sigmoid", "selu", "relu", "tanh"])
def test_browser_decoder_draws_what_keras_draws(activation):
    keras.utils.set_random_seed(2)
    _, _, decoder = ah.build_autoencoder(activation=activation, output_activation="sigmoid")
    layers = explorers.decoder_layers(decoder)
    points = [[0.1, 0.9], [-1.5, 2.0], [0.5, 0.5]]
    script = ("const D=" + json.dumps({"layers": layers}) + ";\n"
              + explorers._WHY_JS.split("function svg")[0]
              + f"\nconsole.log(JSON.stringify({json.dumps(points)}.map(p => decode(...p))));")
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True)
    np.testing.assert_allclose(json.loads(out.stdout), ah.encode(decoder, np.array(points)),
                               atol=1e-5)


def test_explorer_refuses_a_layer_the_browser_cannot_compute(trained, data):
    _, encoder, _ = trained
    inputs = keras.Input(shape=(2,))
    odd = keras.Model(inputs, keras.layers.Dense(64, activation="gelu")(inputs))
    with pytest.raises(ValueError, match="gelu"):
        ah.why_here_explorer(encoder, odd, *data)
    with pytest.raises(ValueError, match="k must be"):
        ah.why_here_explorer(encoder, trained[2], *data, k=0)


def test_explorer_carries_every_digit_and_its_neighbours(trained, data):
    from bokeh.embed import file_html
    from bokeh.resources import CDN

    _, encoder, decoder = trained
    layout = ah.why_here_explorer(encoder, decoder, *data, k=5)
    html = file_html(layout, CDN)
    assert "why-here-panel" in html
    code = next(m.js_event_callbacks["mousemove"][0].code for m in layout.children[:1])
    payload = json.loads(code.split("const D = ", 1)[1].split(";\n", 1)[0])
    assert len(payload["digits"]) == 200 and all(len(s) == 64 for s in payload["digits"])
    assert np.asarray(payload["pixel_nn"]).shape == (200, 5)
    expected, _ = explorers.neighbour_tables(data[0], ah.encode(encoder, data[0]), 5)
    assert payload["pixel_nn"] == expected.tolist()


def test_static_why_here_frames_neighbours_and_checks_item(trained, data):
    _, encoder, decoder = trained
    fig = ah.plot_why_here(encoder, decoder, *data, item=3)
    assert len(fig.axes) >= 1 + 4 * 5
    with pytest.raises(ValueError, match="item"):
        ah.plot_why_here(encoder, decoder, *data, item=200)

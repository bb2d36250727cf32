"""What Keras 3 does to BatchNormalization during fine-tuning, pinned on the locked Keras.

Notebook 03, CONTRIBUTING.md and the docstrings of helpers.models teach this behaviour. If a Keras
upgrade changes it, these tests fail, and that teaching must be revised with them.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import models


def test_trainable_bn_trains_under_fit_despite_training_false():
    shift = models.bn_moving_mean_shift(bn_trainable=True, seed=0)
    assert shift.changed, "fit left a trainable BN layer's moving mean alone: Keras honours training=False again"
    assert np.all(shift.before == 0)
    # one step of the moving average (momentum 0.99) towards the batch mean, about 5
    assert np.allclose(shift.after, 0.05, atol=0.01), shift.after


def test_frozen_bn_keeps_its_statistics_under_fit():
    shift = models.bn_moving_mean_shift(bn_trainable=False, seed=0)
    assert not shift.changed, shift
    assert np.array_equal(shift.before, shift.after)


def test_bn_shift_is_deterministic():
    a, b = (models.bn_moving_mean_shift(bn_trainable=True, seed=3) for _ in range(2))
    assert np.allclose(a.after, b.after, rtol=1e-5, atol=0)  # float sums may differ in the last bit
    assert not np.allclose(a.after, models.bn_moving_mean_shift(bn_trainable=True, seed=4).after, rtol=1e-3, atol=0)


@pytest.mark.parametrize("frozen_base", [False, True])
def test_fit_overrides_training_false_for_every_layer_of_the_base(frozen_base):
    """Keras 3 passes fit's training=True to every layer inside ``base(x, training=False)``,
    Dropout included, whether the base is frozen or not; predict runs them in inference mode."""
    import keras

    seen = []

    class Probe(keras.layers.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    inputs = keras.Input((3,))
    base = keras.Model(inputs, Probe()(keras.layers.Dropout(0.5)(inputs)), name="base")
    base.trainable = not frozen_base
    x = keras.Input((3,))
    model = keras.Model(x, keras.layers.Dense(1)(base(x, training=False)))
    model.compile(optimizer="sgd", loss="mse")
    data = np.ones((4, 3), "float32")
    seen.clear()  # building the model called the probe symbolically
    model.fit(data, np.zeros((4, 1)), epochs=1, verbose=0)
    assert set(seen) == {True}, seen
    seen.clear()
    model.predict(data, verbose=0)
    assert set(seen) == {False}, seen

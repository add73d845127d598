"""Pruebas de coursekit.runtime: modo rápido, semillas, informe del dispositivo y avisos."""

import subprocess
import sys

import numpy as np
import pytest

from coursekit import runtime


def test_quick_mode_follows_environment(monkeypatch):
    monkeypatch.setenv("COURSEKIT_QUICK", "1")
    assert runtime.is_quick() and runtime.pick(quick=2, full=15) == 2
    assert runtime.mode_name() == "rápido"
    monkeypatch.setenv("COURSEKIT_QUICK", "0")
    assert not runtime.is_quick() and runtime.pick(quick=2, full=15) == 15
    monkeypatch.delenv("COURSEKIT_QUICK")
    assert runtime.mode_name() == "completo"


def test_quick_mode_rejects_unknown_value(monkeypatch):
    monkeypatch.setenv("COURSEKIT_QUICK", "quizas")
    with pytest.raises(ValueError, match="`COURSEKIT_QUICK` no es válido.*'quizas'.*export"):
        runtime.is_quick()


def test_set_quick_round_trip(monkeypatch):
    monkeypatch.setenv("COURSEKIT_QUICK", "0")
    runtime.set_quick(True)
    assert runtime.is_quick()
    runtime.set_quick(False)
    assert not runtime.is_quick()


def test_seed_everything_repeats_numpy_and_keras():
    import keras

    runtime.seed_everything(7)
    first = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    runtime.seed_everything(7)
    second = (np.random.rand(3), keras.random.uniform((3,)).numpy())
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "42", True])
def test_seed_everything_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="`seed` no es válido"):
        runtime.seed_everything(seed)


def test_default_seed_reads_environment(monkeypatch):
    monkeypatch.delenv("COURSEKIT_SEED", raising=False)
    assert runtime.default_seed() == 42
    monkeypatch.setenv("COURSEKIT_SEED", "123")
    assert runtime.default_seed() == 123
    monkeypatch.setenv("COURSEKIT_SEED", "abc")
    with pytest.raises(ValueError, match="`COURSEKIT_SEED` no es válido"):
        runtime.default_seed()


def test_device_report_is_spanish_and_complete():
    report = runtime.device_report()
    text = str(report)
    assert report.tensorflow and report.keras.startswith("3.")
    for fragment in ("Modo:", "TensorFlow", "Keras", "NumPy", "Dispositivo:", "Estrategia de distribución"):
        assert fragment in text
    if not report.gpus:
        assert "CPU" in text


def test_legacy_keras_setting_warns(monkeypatch):
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "1")
    with pytest.warns(runtime.UnsupportedSetupWarning, match="TF_USE_LEGACY_KERAS"):
        problems = runtime.check_setup()
    assert len(problems) == 1


def test_mixed_precision_stays_off_on_cpu():
    import keras

    try:
        enabled = runtime.enable_mixed_precision()
        assert enabled == bool(runtime.gpu_names())
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_import_coursekit_does_not_import_tensorflow():
    code = ("import sys, coursekit, coursekit.data, coursekit.models, coursekit.widgets, coursekit.plots; "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert output.stdout.split() == ["False", "False"]

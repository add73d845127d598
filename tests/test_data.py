"""Pruebas de coursekit.data: dígitos incluidos, particiones, caché y cargador de MNIST completo."""

import hashlib

import numpy as np
import pytest

from coursekit.data import (DownloadError, fetch, load_digits, pad_to_32, sha256_of, split_arrays,
                            stratified_split)
from coursekit.data import digits as digits_module


@pytest.fixture
def temp_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("COURSEKIT_CACHE", str(cache))
    return cache


def test_embedded_digits_are_real_mnist_shape(temp_cache):
    digits = load_digits(source="embedded")
    assert digits.images.shape == (10000, 28, 28)
    assert digits.images.dtype == np.uint8
    assert set(np.unique(digits.labels)) == set(range(10))
    assert np.bincount(digits.labels).min() >= 800
    assert len({image.tobytes() for image in digits.images}) == 10000
    assert "data/mnist_digits.npz" in digits.describe()


def test_auto_uses_embedded_without_cache(temp_cache):
    assert "incluidos" in load_digits().source


def test_limit_is_stratified(temp_cache):
    digits = load_digits(limit=500, seed=3)
    assert len(digits) == 500
    assert np.bincount(digits.labels).min() >= 40


@pytest.mark.parametrize("limit", [0, 5, 10**6, 2.5, True])
def test_limit_rejects_bad_values(temp_cache, limit):
    with pytest.raises(ValueError, match="`limit` no es válido"):
        load_digits(limit=limit)


def test_unknown_source_is_rejected():
    with pytest.raises(ValueError, match="`source` no es válido.*'embedded'"):
        load_digits(source="keras")


def test_pad_to_32_zero_border():
    images = np.full((3, 28, 28), 7, dtype=np.uint8)
    padded = pad_to_32(images)
    assert padded.shape == (3, 32, 32)
    assert padded.dtype == np.uint8
    assert padded[:, :2].sum() == 0
    assert padded[:, -2:].sum() == 0
    assert padded[:, :, :2].sum() == 0
    assert padded[:, :, -2:].sum() == 0
    assert (padded[:, 2:30, 2:30] == 7).all()
    assert pad_to_32(images[..., None]).shape == (3, 32, 32, 1)


def test_pad_to_32_rejects_flat_images():
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        pad_to_32(np.zeros((3, 784)))


def test_split_is_disjoint_complete_and_stratified():
    labels = np.repeat(np.arange(10), 100)  # ordenadas por clase, como los datos incluidos
    parts = stratified_split(labels, (0.7, 0.15, 0.15), seed=0)
    all_indices = np.concatenate(list(parts.values()))
    assert len(all_indices) == len(labels)
    assert len(np.unique(all_indices)) == len(labels)
    for index in parts.values():
        assert set(labels[index]) == set(range(10))
    assert [len(parts[name]) for name in ("train", "validation", "test")] == [700, 150, 150]


def test_split_is_reproducible_and_seed_dependent():
    labels = np.repeat(np.arange(3), 30)
    first = stratified_split(labels, seed=5)
    again = stratified_split(labels, seed=5)
    other = stratified_split(labels, seed=6)
    assert all(np.array_equal(first[k], again[k]) for k in first)
    assert not np.array_equal(first["test"], other["test"])


def test_split_keeps_rare_class_everywhere():
    labels = np.array([0] * 3 + [1] * 40)
    parts = stratified_split(labels, (0.8, 0.1, 0.1), seed=0)
    for index in parts.values():
        assert 0 in labels[index]


@pytest.mark.parametrize("fractions", [(0.5, 0.6), (1.0,), (0.5, -0.1, 0.6)])
def test_split_rejects_bad_fractions(fractions):
    with pytest.raises(ValueError, match="`fractions` no es válido"):
        stratified_split([0, 1, 0, 1], fractions)


def test_split_rejects_one_hot_labels():
    with pytest.raises(ValueError, match="argmax"):
        stratified_split(np.eye(3))


def test_split_arrays_keeps_pairs_together():
    x = np.arange(40).reshape(20, 2)
    y = np.repeat([0, 1], 10)
    parts = split_arrays(x, y, seed=1)
    for x_part, y_part in parts.values():
        assert np.array_equal(y[x_part[:, 0] // 2], y_part)
    with pytest.raises(ValueError, match="tantos ejemplos como etiquetas"):
        split_arrays(x[:5], y)


def _write(path, payload: bytes):
    path.write_bytes(payload)
    return hashlib.sha256(payload).hexdigest()


def test_fetch_downloads_once_and_checks_sum(temp_cache, tmp_path):
    source = tmp_path / "origen.bin"
    digest = _write(source, b"datos reales")
    first = fetch(source.as_uri(), "copia.bin", digest, subdir="prueba")
    assert first.read_bytes() == b"datos reales"
    source.unlink()  # la segunda llamada debe salir de la caché, sin "red"
    assert fetch(source.as_uri(), "copia.bin", digest, subdir="prueba") == first
    assert sha256_of(first) == digest


def test_fetch_rejects_wrong_checksum_and_leaves_nothing(temp_cache, tmp_path):
    source = tmp_path / "origen.bin"
    _write(source, b"contenido cambiado")
    with pytest.raises(DownloadError, match="SHA-256"):
        fetch(source.as_uri(), "copia.bin", "0" * 64)
    assert list(temp_cache.iterdir()) == []


def test_fetch_quarantines_corrupt_cache_file(temp_cache, tmp_path):
    source = tmp_path / "origen.bin"
    digest = _write(source, b"bueno")
    (temp_cache / "copia.bin").write_bytes(b"roto")
    path = fetch(source.as_uri(), "copia.bin", digest)
    assert path.read_bytes() == b"bueno"
    assert (temp_cache / "copia.bin.corrupto").read_bytes() == b"roto"


def test_fetch_without_download_reports_missing_file(temp_cache):
    with pytest.raises(DownloadError, match="no está en la caché"):
        fetch("https://example.invalid/x.bin", "x.bin", "a" * 64, download=False)


def test_fetch_reports_unreachable_source(temp_cache, tmp_path):
    with pytest.raises(DownloadError, match="No se pudo descargar"):
        fetch((tmp_path / "no-existe.bin").as_uri(), "x.bin", "a" * 64)


@pytest.mark.parametrize("filename, sha", [("../fuera.bin", "a" * 64), ("x.bin", "xyz")])
def test_fetch_rejects_bad_arguments(temp_cache, filename, sha):
    with pytest.raises(ValueError, match="no es válido"):
        fetch("file:///dev/null", filename, sha)


def test_full_mnist_loader_reads_cached_file(temp_cache, monkeypatch):
    # Un mnist.npz pequeño con el mismo formato que el de Keras, colocado en la caché temporal.
    rng = np.random.default_rng(0)
    folder = temp_cache / "mnist"
    folder.mkdir(parents=True)
    arrays = {"x_train": rng.integers(0, 256, (20, 28, 28), dtype=np.uint8),
              "y_train": np.arange(20) % 10, "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
              "y_test": np.arange(10)}
    np.savez(folder / "mnist.npz", **arrays)
    monkeypatch.setattr(digits_module, "MNIST_SHA256", sha256_of(folder / "mnist.npz"))
    digits = load_digits()  # "auto": usa la caché porque el archivo existe
    assert len(digits) == 30
    assert "MNIST completo" in digits.source
    assert np.array_equal(digits.images[:20], arrays["x_train"])

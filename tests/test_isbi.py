"""Pruebas del cargador ISBI 2012 contra archivos puestos en una caché temporal (nunca descarga)."""

import numpy as np
import pytest

from coursekit.data import DownloadError, sha256_of
from coursekit.data import isbi

h5py = pytest.importorskip("h5py")


@pytest.fixture
def temp_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("COURSEKIT_CACHE", str(cache))
    # Una URL que no existe: si el código intentara descargar, fallaría en vez de usar la red.
    monkeypatch.setattr(isbi, "ISBI_URL", (tmp_path / "no-existe.h5").as_uri())
    return cache


def _write_fake_volume(folder, slices=2, side=8):
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(slices, side, side), dtype=np.uint8)
    labels = np.full((slices, side, side), 255, dtype=np.uint8)
    labels[:, ::4, :] = 0  # una fila de membrana de cada cuatro
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / isbi.ISBI_FILENAME
    with h5py.File(path, "w") as archive:
        archive["raw"] = raw
        archive["labels/membranes"] = labels
    return path, raw, labels


def test_loader_reads_file_from_cache(temp_cache, monkeypatch):
    path, raw, labels = _write_fake_volume(temp_cache / isbi.ISBI_SUBDIR)
    monkeypatch.setattr(isbi, "ISBI_SHA256", sha256_of(path))
    images, membranes = isbi.load_isbi2012(download=False)
    np.testing.assert_array_equal(images, raw)
    np.testing.assert_array_equal(membranes, (labels == 0).astype(np.uint8))
    assert membranes.mean() == pytest.approx(0.25)


def test_cache_path_is_isbi_subfolder(temp_cache, monkeypatch):
    path, _, _ = _write_fake_volume(temp_cache / isbi.ISBI_SUBDIR)
    monkeypatch.setattr(isbi, "ISBI_SHA256", sha256_of(path))
    assert isbi.isbi_path(download=False) == temp_cache / "isbi2012" / "isbi.h5"


def test_missing_file_without_download_raises(temp_cache):
    with pytest.raises(DownloadError, match="no está en la caché"):
        isbi.load_isbi2012(download=False)


def test_wrong_checksum_is_quarantined(temp_cache):
    path, _, _ = _write_fake_volume(temp_cache / isbi.ISBI_SUBDIR)
    with pytest.raises(DownloadError):
        isbi.load_isbi2012(download=False)
    assert not path.exists()
    assert path.with_name("isbi.h5.corrupto").exists()


def test_download_failure_is_reported(temp_cache):
    with pytest.raises(DownloadError, match="No se pudo descargar"):
        isbi.load_isbi2012(download=True)


def test_membranes_from_labels_encoding():
    labels = np.array([[255, 0], [255, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(isbi.membranes_from_labels(labels), [[0, 1], [0, 0]])


def test_membranes_from_labels_rejects_other_values():
    with pytest.raises(ValueError, match="0 \\(membrana\\) y 255"):
        isbi.membranes_from_labels(np.array([[0, 1], [2, 3]]))


def test_inverted_labels_warn():
    labels = np.array([[0, 0], [0, 255]], dtype=np.uint8)
    with pytest.warns(isbi.LabelEncodingWarning, match="invertidas"):
        isbi.membranes_from_labels(labels)


def test_terms_state_non_commercial_use():
    assert "no comercial" in isbi.ISBI_TERMS
    assert "e1000502" in isbi.ISBI_TERMS

"""Pruebas de coursekit.data.folders: revisión, informe, partición y carga de una carpeta por clase."""

import shutil

import numpy as np
import pytest
from PIL import Image

from coursekit.data import data_dir
from coursekit.data.folders import load_images, load_split, scan_image_folder


def save(path, mode="RGB", size=(40, 30), seed=0, fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    channels = {"RGB": 3, "RGBA": 4, "L": 1}[mode]
    pixels = rng.integers(0, 256, (size[1], size[0], channels), dtype=np.uint8)
    Image.fromarray(pixels.squeeze(-1) if channels == 1 else pixels).save(path, format=fmt)
    return path


@pytest.fixture
def messy(tmp_path):
    """Carpeta de un estudiante con las trampas habituales; devuelve (raíz, omitidos esperados)."""
    root = tmp_path / "mis_datos"
    for i in range(7):  # gato0 tiene una copia en perros/: las dos copias se omiten
        save(root / "gatos" / f"gato{i}.png", "RGB", seed=i)
    for i in range(5):
        save(root / "perros" / f"perro{i}.jpg", "L", size=(50, 50), seed=10 + i)
    for i in range(3):
        save(root / "pajaros" / f"pajaro{i}.png", "RGBA", size=(20, 20), seed=20 + i)
    save(root / "pajaros" / "alas" / "pajaro_anidado.png", "RGB", seed=30)
    # Una PNG con extensión .jpg: se lee bien, así que se usa con un aviso.
    save(root / "perros" / "disfrazado.jpg", "RGB", seed=31, fmt="PNG")

    truncated = save(root / "gatos" / "truncada.png", "RGB", size=(64, 64), seed=40)
    truncated.write_bytes(truncated.read_bytes()[:300])
    (root / "gatos" / "vacia.jpg").write_bytes(b"")
    (root / "perros" / "notas.jpg").write_text("esto es texto, no una imagen\n", encoding="utf-8")
    shutil.copy(root / "gatos" / "gato0.png", root / "perros" / "copia.png")
    (root / "perros" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "gatos" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / "gatos" / "._gato0.png").write_bytes(b"\0\5\26\7" + b"\0" * 60)
    save(root / "gatos" / ".oculta" / "escondida.png", "RGB", seed=41)
    save(root / ".git" / "objeto.png", "RGB", seed=42)
    (root / "__MACOSX" / "gatos").mkdir(parents=True)
    (root / "__MACOSX" / "gatos" / "._gato1.png").write_bytes(b"\0\5\26\7")
    (root / "fotos.zip").write_bytes(b"PK\3\4")
    save(root / "suelta.png", "RGB", seed=43)
    (root / "vacia_clase").mkdir()
    (root / "vacia_clase" / "leeme.txt").write_text("nada", encoding="utf-8")
    expected = {
        ".git/": "carpeta oculta",
        "__MACOSX/": "macOS",
        "fotos.zip": "archivo comprimido",
        "suelta.png": "fuera de las carpetas de clase",
        "gatos/.oculta/": "carpeta oculta",
        "gatos/._gato0.png": "AppleDouble",
        "gatos/Thumbs.db": "sistema operativo",
        "gatos/truncada.png": "truncada",
        "gatos/vacia.jpg": "vacío",
        "perros/.DS_Store": "sistema operativo",
        "perros/copia.png": "misma imagen está en otra clase (gatos/gato0.png)",
        "gatos/gato0.png": "misma imagen está en otra clase",
        "perros/notas.jpg": "no es un formato de imagen",
        "vacia_clase/leeme.txt": "no es una imagen",
        "vacia_clase/": "sin imágenes válidas",
    }
    return root, expected


def test_scan_counts_and_classes(messy):
    root, _ = messy
    scan = scan_image_folder(root)
    assert scan.classes == ["gatos", "pajaros", "perros"]
    assert scan.counts() == {"gatos": 6, "pajaros": 4, "perros": 6}
    assert "pajaros/alas/pajaro_anidado.png" in scan.files
    assert scan.imbalance_ratio() == pytest.approx(1.5)


def test_scan_skips_every_trap_with_reason(messy):
    root, expected = messy
    scan = scan_image_folder(root)
    reasons = {item.file: item.reason for item in scan.skipped}
    assert set(reasons) == set(expected)
    for name, fragment in expected.items():
        assert fragment in reasons[name], name
    for name in expected:
        assert name not in scan.files


def test_scan_notes_lying_extension(messy):
    scan = scan_image_folder(messy[0])
    notes = {item.file: item.reason for item in scan.notes if not item.file.endswith("/")}
    assert notes == {"perros/disfrazado.jpg": "la extensión dice .jpg pero el contenido es PNG"}
    assert "perros/disfrazado.jpg" in scan.files


def test_scan_sizes_and_modes(messy):
    scan = scan_image_folder(messy[0])
    assert scan.modes == {"RGB": 8, "L": 5, "RGBA": 3}
    assert scan.sizes[(50, 50)] == 5
    assert scan.channels() == 3


def test_report_is_spanish_and_complete(messy):
    report = scan_image_folder(messy[0]).report()
    assert "Clases encontradas: 3" in report
    assert "Total: 16 imágenes válidas." in report
    assert "la clase mayor tiene 1,5 veces" in report
    assert "desequilibrado" in report
    assert "Hay modos mezclados" in report
    assert "Omitidos: 15." in report
    assert "gatos/truncada.png" in report


def test_split_is_disjoint_complete_and_reproducible(messy):
    scan = scan_image_folder(messy[0])
    parts = scan.split((0.5, 0.25, 0.25), seed=7)
    names = [name for files in parts.values() for name in files]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(scan.files)
    assert sum(len(f) for f in parts.values()) == 16
    for files in parts.values():
        assert set(scan.labels_of(files)) == {0, 1, 2}
    assert scan.split((0.5, 0.25, 0.25), seed=7) == parts
    assert scan.split((0.5, 0.25, 0.25), seed=8) != parts


def test_load_images_shape_range_and_alpha(messy):
    scan = scan_image_folder(messy[0])
    x, y = load_images(scan, scan.files, image_size=(24, 16))
    assert x.shape == (16, 24, 16, 3)
    assert x.dtype == np.float32
    assert x.min() >= 0.0
    assert x.max() <= 1.0
    np.testing.assert_array_equal(y, scan.labels)


def test_transparent_pixels_become_white(tmp_path):
    # Clase «a»: píxeles negros transparentes; clase «b»: negros opacos. Cada imagen difiere en (0, 0).
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for i in range(3):
            pixels = np.zeros((10, 10, 4), np.uint8)
            pixels[..., 3] = 0 if name == "a" else 255
            pixels[0, 0] = (i, 0, 0, 255)
            Image.fromarray(pixels).save(tmp_path / name / f"{i}.png")
    scan = scan_image_folder(tmp_path)
    x, _ = load_images(scan, ["a/0.png", "b/0.png"], image_size=(10, 10))
    assert x[0, 5, 5].tolist() == [1.0, 1.0, 1.0]
    assert x[1, 5, 5].tolist() == [0.0, 0.0, 0.0]


def test_example_dataset_numbers():
    scan = scan_image_folder(data_dir() / "proyecto_ejemplo")
    assert scan.counts() == {"bolso": 120, "camiseta": 120, "jersey": 120, "sandalia": 120}
    assert scan.sizes == {(28, 28): 480}
    assert scan.channels() == 1
    assert scan.skipped == []
    parts = scan.split(seed=42)
    assert {name: len(files) for name, files in parts.items()} == {"train": 336, "validation": 72, "test": 72}
    data = load_split(scan, {"test": parts["test"][:4]}, image_size=(32, 32))
    assert data["test"][0].shape == (4, 32, 32, 1)


def test_missing_folder_rejected(tmp_path):
    with pytest.raises(ValueError, match="carpeta existente"):
        scan_image_folder(tmp_path / "no_existe")


def test_images_without_class_folders_rejected(tmp_path):
    save(tmp_path / "foto.png")
    with pytest.raises(ValueError, match="una subcarpeta por clase"):
        scan_image_folder(tmp_path)


def test_single_class_rejected(tmp_path):
    save(tmp_path / "gatos" / "g.png")
    (tmp_path / "perros").mkdir()
    with pytest.raises(ValueError, match="dos o más subcarpetas.*Clases con imágenes válidas: gatos"):
        scan_image_folder(tmp_path)


def test_empty_folder_asks_for_class_folders(tmp_path):
    with pytest.raises(ValueError, match="Crea una subcarpeta por clase"):
        scan_image_folder(tmp_path)


def test_empty_path_rejected():
    with pytest.raises(ValueError, match="Escribe la ruta"):
        scan_image_folder("")


def test_duplicate_in_same_class_keeps_one_copy(tmp_path):
    for i in range(3):
        save(tmp_path / "gatos" / f"{i}.png", seed=i)
        save(tmp_path / "perros" / f"{i}.png", seed=10 + i)
    shutil.copy(tmp_path / "gatos" / "0.png", tmp_path / "gatos" / "otra.png")
    scan = scan_image_folder(tmp_path)
    assert "gatos/0.png" in scan.files
    assert "gatos/otra.png" not in scan.files
    assert scan.counts() == {"gatos": 3, "perros": 3}


def test_class_with_few_images_gets_note(tmp_path):
    for i in range(3):
        save(tmp_path / "gatos" / f"{i}.png", seed=i)
    for i in range(12):
        save(tmp_path / "perros" / f"{i}.png", seed=10 + i)
    scan = scan_image_folder(tmp_path)
    notes = {item.file: item.reason for item in scan.notes}
    assert "gatos/" in notes and "solo 3 imágenes" in notes["gatos/"]
    assert "perros/" not in notes


def test_split_needs_one_image_per_partition(tmp_path):
    for i in range(4):
        save(tmp_path / "gatos" / f"{i}.png", seed=i)
    for i in range(2):
        save(tmp_path / "perros" / f"{i}.png", seed=10 + i)
    with pytest.raises(ValueError, match="al menos 3 imágenes válidas por clase"):
        scan_image_folder(tmp_path).split()


def test_bad_load_arguments(messy):
    scan = scan_image_folder(messy[0])
    with pytest.raises(ValueError, match="`image_size` no es válido"):
        load_images(scan, scan.files[:1], image_size=(4, 4))
    with pytest.raises(ValueError, match="`image_size` no es válido"):
        load_images(scan, scan.files[:1], image_size="64")
    with pytest.raises(ValueError, match="`channels` no es válido"):
        load_images(scan, scan.files[:1], channels=2)
    with pytest.raises(ValueError, match="`files` no es válido"):
        scan.labels_of(["gatos/otro.png"])

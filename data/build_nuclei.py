"""Construye data/nuclei_dsb2018.npz a partir de la imagen de núcleos 2-D del paquete ``stardist``.

Uso (con red, una sola vez; el .npz resultante se versiona en el repositorio y ``tifffile`` solo hace
falta aquí, no al usar coursekit):

    pip download --no-deps stardist==0.9.2 -d /tmp/stardist
    unzip -q /tmp/stardist/stardist-0.9.2-*.whl -d /tmp/stardist/whl
    pip install tifffile
    python data/build_nuclei.py /tmp/stardist/whl/stardist/data/images data/nuclei_dsb2018.npz

Entrada: ``img2d.tif`` (512×512, uint16, valores 0–235) y ``mask2d.tif`` (512×512, uint16, 0 = fondo
y un identificador por núcleo). Salida: ``image`` en uint8 (los valores caben sin pérdida; el script
lo comprueba) y ``instances`` en uint16 con los 125 núcleos renumerados 1..125 en el orden de sus
identificadores originales, más las sumas SHA-256 de los dos TIFF de origen.
"""

import hashlib
import sys
from pathlib import Path

import numpy as np
import tifffile

EXPECTED_SHA256 = {
    # stardist 0.9.2, stardist/data/images/ (wheel cp311 manylinux).
    "img2d.tif": "f9ccc1571b92c861ff87e28463068b43f61bd47357ed0503f711e5cd1eb97750",
    "mask2d.tif": "59ad5e820b7982ca9d13e946fa6e7f64e2714899e00a2ae6c69aa79aad53d46f",
}


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(images_dir: Path, out_path: Path) -> None:
    for name, expected in EXPECTED_SHA256.items():
        actual = sha256_of(images_dir / name)
        if actual != expected:
            raise SystemExit(f"{name}: suma SHA-256 {actual}, se esperaba {expected}. "
                             "¿Otra versión de stardist?")
    image = tifffile.imread(images_dir / "img2d.tif")
    mask = tifffile.imread(images_dir / "mask2d.tif")
    if image.shape != (512, 512) or mask.shape != (512, 512):
        raise SystemExit(f"Formas inesperadas: imagen {image.shape}, máscara {mask.shape}.")
    if image.max() > 255 or image.min() < 0:
        raise SystemExit(f"La imagen no cabe en uint8: valores {image.min()}–{image.max()}.")

    ids = np.unique(mask)
    ids = ids[ids != 0]
    lookup = np.zeros(int(mask.max()) + 1, dtype=np.uint16)
    lookup[ids] = np.arange(1, len(ids) + 1, dtype=np.uint16)
    instances = lookup[mask]

    np.savez_compressed(
        out_path,
        image=image.astype(np.uint8),
        instances=instances,
        source=np.array("stardist 0.9.2: stardist/data/images/img2d.tif, mask2d.tif "
                        "(2018 Data Science Bowl según stardist)"),
        source_sha256=np.array([EXPECTED_SHA256["img2d.tif"], EXPECTED_SHA256["mask2d.tif"]]),
    )
    print(f"{out_path}: imagen {image.shape} con valores {image.min()}–{image.max()}, "
          f"{len(ids)} núcleos, {100 * (instances > 0).mean():.1f} % de píxeles de núcleo")


if __name__ == "__main__":
    build(Path(sys.argv[1]), Path(sys.argv[2]))

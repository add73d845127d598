"""Membranas neuronales del reto ISBI 2012, los datos del artículo de U-Net, para quien tenga red.

Son 30 cortes de 512×512 píxeles de microscopía electrónica de transmisión (ssTEM) del cordón
nervioso ventral de una larva de *Drosophila*, con la verdad de referencia de las membranas. La
U-Net de Ronneberger et al. (2015) ganó con ellos el reto de segmentación de membranas.

Origen: la copia en un único HDF5 (``raw`` y ``labels/membranes``) que mantiene el proyecto
``torch_em`` en EMBL, con la URL y la suma SHA-256 que publica ese proyecto. El archivo se descarga
una vez en ``cache_dir()/isbi2012`` con :func:`coursekit.data.fetch` (escritura atómica y
comprobación de la suma); leerlo necesita ``h5py`` (``pip install h5py``), que coursekit no
instala por defecto porque el curso funciona sin estos datos.

Condiciones de uso (del sitio del reto, http://brainiac2.mit.edu/isbi_challenge/): solo para
crear o probar software de segmentación **no comercial**, y toda publicación que los use debe citar
TrakEM2 y a Cardona et al. (2010), «An Integrated Micro- and Macroarchitectural Analysis of the
Drosophila Brain by Computer-Assisted Serial Section Electron Microscopy», PLoS Biol 8(10): e1000502.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np

from coursekit._errors import CourseKitWarning, invalid_value
from coursekit.data.cache import fetch

logger = logging.getLogger(__name__)

ISBI_URL = "https://oc.embl.de/index.php/s/h0TkwqxU0PJDdMd/download"
ISBI_FILENAME = "isbi.h5"
ISBI_SHA256 = "0e10fe909a1243084d91773470856993b7d40126a12e85f0f1345a7a9e512f29"
ISBI_SUBDIR = "isbi2012"
ISBI_TERMS = (
    "Datos del reto ISBI 2012 (segmentación de membranas en ssTEM): uso permitido solo para crear "
    "o probar software de segmentación no comercial; si publicas resultados con ellos, cita TrakEM2 "
    "y a Cardona et al. (2010), PLoS Biol 8(10): e1000502.")
CLASS_NAMES = ("interior", "membrana")


class LabelEncodingWarning(CourseKitWarning):
    """Las etiquetas no parecen seguir la codificación esperada (255 = interior, 0 = membrana)."""


def membranes_from_labels(labels) -> np.ndarray:
    """Convierte las etiquetas del reto (255 = interior de célula, 0 = membrana) en clases 0/1.

    Devuelve uint8 con 1 = membrana y 0 = interior. Las membranas ocupan una minoría de los
    píxeles; si salen más de la mitad, se emite :class:`LabelEncodingWarning`, porque entonces las
    etiquetas probablemente estén invertidas.
    """
    labels = np.asarray(labels)
    values = np.unique(labels)
    if not set(values.tolist()) <= {0, 255}:
        raise invalid_value("labels", labels, "etiquetas con los valores 0 (membrana) y 255 (interior)",
                            f"Se encontraron los valores {values[:8].tolist()}.")
    membranes = (labels == 0).astype(np.uint8)
    # NOTE: la codificación 255 = interior es la del reto original; para la copia HDF5 solo la
    # comprueba este aviso, porque el archivo no se ha podido abrir al escribir el módulo.
    if membranes.mean() > 0.5:
        warnings.warn(f"El {100 * membranes.mean():.0f} % de los píxeles salen como membrana; las "
                      "etiquetas podrían estar invertidas (se esperaba 255 = interior).",
                      LabelEncodingWarning, stacklevel=2)
    return membranes


def isbi_path(download: bool = True):
    """Devuelve la ruta del HDF5 en la caché, descargándolo si falta y ``download`` lo permite."""
    return fetch(ISBI_URL, ISBI_FILENAME, ISBI_SHA256, subdir=ISBI_SUBDIR, download=download)


def load_isbi2012(download: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Carga los 30 cortes de entrenamiento del reto ISBI 2012 y sus máscaras de membrana.

    Args:
        download: si el archivo no está en la caché, descargarlo (``True``) o lanzar
            :class:`coursekit.data.DownloadError` (``False``).

    Returns:
        ``(images, membranes)``: ``images`` de forma (30, 512, 512) y tipo uint8; ``membranes`` de
        la misma forma, uint8, con 1 = membrana y 0 = interior (:data:`CLASS_NAMES`).

    Raises:
        DownloadError: sin red, con la descarga desactivada o si la suma SHA-256 no coincide.
        ModuleNotFoundError: falta ``h5py``.
    """
    path = isbi_path(download=download)
    try:
        import h5py
    except ModuleNotFoundError as error:
        raise ModuleNotFoundError(
            "Leer los datos ISBI 2012 necesita h5py: instálalo con `pip install h5py` y reinicia el "
            "núcleo.") from error
    logger.info("Usando ISBI 2012 desde %s (copia de torch_em en EMBL). %s", path, ISBI_TERMS)
    with h5py.File(path, "r") as archive:
        images = np.asarray(archive["raw"])
        labels = np.asarray(archive["labels/membranes"])
    if images.shape != labels.shape or images.ndim != 3:
        raise invalid_value("isbi.h5", f"raw {images.shape}, labels {labels.shape}",
                            "dos volúmenes (cortes, alto, ancho) de la misma forma",
                            "Borra el archivo de la caché y vuelve a descargarlo.")
    return images.astype(np.uint8), membranes_from_labels(labels)

"""Descarga de conjuntos de datos a una caché local, con suma SHA-256 y escritura atómica.

Un archivo de la caché solo se usa si su suma coincide con la esperada; una descarga se escribe en
un archivo temporal de la misma carpeta y se renombra al final, de modo que un corte de red nunca
deja un archivo a medias con el nombre definitivo.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from coursekit._errors import invalid_value
from coursekit.data.paths import cache_dir

logger = logging.getLogger(__name__)

_CHUNK = 1 << 20


class DownloadError(RuntimeError):
    """No se pudo descargar un archivo o su suma SHA-256 no coincide."""


def sha256_of(path: str | os.PathLike) -> str:
    """Calcula la suma SHA-256 (hexadecimal) de un archivo, leyéndolo por bloques de 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(url: str, filename: str, sha256: str, *, subdir: str = "", timeout: float = 60.0,
          download: bool = True) -> Path:
    """Devuelve la ruta local de ``filename`` en la caché, descargándolo de ``url`` si falta.

    Args:
        url: origen del archivo (``https://``; ``file://`` sirve para pruebas).
        filename: nombre del archivo dentro de la caché (sin carpetas).
        sha256: suma SHA-256 esperada, 64 caracteres hexadecimales.
        subdir: subcarpeta de la caché, p. ej. ``"isbi2012"``.
        timeout: segundos de espera de la conexión.
        download: con ``False`` nunca se usa la red; si el archivo no está en la caché se lanza
            :class:`DownloadError`.

    Raises:
        ValueError: ``filename`` contiene carpetas o ``sha256`` no tiene el formato esperado.
        DownloadError: no hay red, el servidor falla o la suma no coincide (el archivo descargado
            se borra; el de la caché, si estaba mal, se deja con el sufijo ``.corrupto``).
    """
    if not filename or Path(filename).name != filename:
        raise invalid_value("filename", filename, "un nombre de archivo sin carpetas",
                            "Usa `subdir` para elegir la subcarpeta de la caché.")
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256.lower()):
        raise invalid_value("sha256", sha256, "64 caracteres hexadecimales")
    folder = cache_dir() / subdir if subdir else cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / filename
    if target.exists():
        if sha256_of(target) == sha256.lower():
            logger.info("Usando %s de la caché.", target)
            return target
        quarantine = target.with_name(target.name + ".corrupto")
        os.replace(target, quarantine)
        logger.warning("La suma de %s no coincide; se aparta como %s y se descarga de nuevo.",
                       target, quarantine.name)
    if not download:
        raise DownloadError(
            f"{filename} no está en la caché ({folder}) y la descarga está desactivada. "
            f"Descárgalo con conexión o copia el archivo en esa carpeta.")
    logger.info("Descargando %s desde %s ...", filename, url)
    handle, temporary = tempfile.mkstemp(prefix=f".{filename}.", suffix=".parcial", dir=folder)
    try:
        digest = hashlib.sha256()
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            for block in iter(lambda: response.read(_CHUNK), b""):
                out.write(block)
                digest.update(block)
        if digest.hexdigest() != sha256.lower():
            raise DownloadError(
                f"La suma SHA-256 de {filename} descargado de {url} es {digest.hexdigest()}, "
                f"pero se esperaba {sha256.lower()}. El servidor puede haber cambiado el archivo; "
                "no se ha guardado.")
        os.replace(temporary, target)
    except (urllib.error.URLError, OSError) as error:
        raise DownloadError(
            f"No se pudo descargar {filename} desde {url}: {error}. Comprueba la conexión o usa "
            "los datos incluidos en el repositorio.") from error
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return target

"""Datos del curso: cargadores sin red por defecto, caché con sumas de comprobación y particiones.

Submódulos: ``paths`` (carpetas de datos y caché), ``cache`` (descarga con suma SHA-256 y escritura
atómica), ``digits`` (dígitos MNIST reales), ``splits`` (particiones estratificadas), ``photos``
(fotos reales de scikit-image), ``nuclei`` e ``isbi`` (segmentación biomédica), ``folders`` (conjuntos
de una carpeta por clase). Nada aquí importa TensorFlow.
"""

from coursekit.data.cache import DownloadError, fetch, sha256_of  # noqa: F401
from coursekit.data.digits import Digits, load_digits, pad_to_32  # noqa: F401
from coursekit.data.paths import cache_dir, data_dir  # noqa: F401
from coursekit.data.splits import split_arrays, stratified_split, stratified_subsample  # noqa: F401

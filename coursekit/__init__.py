"""coursekit: utilidades compartidas por los cuadernos del curso de métodos avanzados de ciencia de datos.

Importar ``coursekit`` no importa TensorFlow: los módulos que lo necesitan lo importan al usarse,
de modo que ``coursekit --help`` y las pruebas ligeras arrancan en menos de un segundo.
"""

import os as _os

__version__ = "0.1.0"

# Reduce los mensajes de C++ de TensorFlow que aparecen durante el entrenamiento. NOTE: las líneas
# que TF 2.21 escribe mientras se carga (oneDNN, CUDA ausente) solo desaparecen si la variable ya
# está definida al arrancar Python (`TF_CPP_MIN_LOG_LEVEL=3 jupyter lab`); fijarla aquí no basta.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from coursekit._errors import CourseKitWarning, invalid_value  # noqa: F401
from coursekit.runtime import is_quick, pick, seed_everything  # noqa: F401

"""coursekit: utilidades compartidas por los cuadernos del curso de métodos avanzados de ciencia de datos.

Importar ``coursekit`` no importa TensorFlow: los módulos que lo necesitan lo importan al usarse,
de modo que ``coursekit --help`` y las pruebas ligeras arrancan en menos de un segundo.
"""

import os as _os

__version__ = "0.1.0"

# Silencia los mensajes de C++ de TensorFlow (CUDA ausente, oneDNN...) que asustan en un cuaderno;
# los errores de TensorFlow siguen llegando como excepciones de Python. Solo surte efecto si se
# importa coursekit antes que TensorFlow; con "2" TF 2.21 sigue escribiendo sus avisos iniciales.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from coursekit._errors import CourseKitWarning, invalid_value  # noqa: F401
from coursekit.runtime import is_quick, pick, seed_everything  # noqa: F401

"""coursekit: utilidades compartidas por los cuadernos del curso de métodos avanzados de ciencia de datos.

Importar ``coursekit`` no importa TensorFlow: los módulos que lo necesitan lo importan al usarse,
de modo que ``coursekit --help`` y las pruebas ligeras arrancan en menos de un segundo.
"""

__version__ = "0.1.0"

from coursekit._errors import CourseKitWarning, invalid_value  # noqa: F401
from coursekit.runtime import is_quick, pick, seed_everything  # noqa: F401

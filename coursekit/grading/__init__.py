"""``coursekit grade``: re-ejecutar los cuadernos del proyecto con límites, revisar la rúbrica y
comparar los números declarados con los re-ejecutados.

Módulos, en el orden en que actúan:

* :mod:`~coursekit.grading.submissions`: encontrar entregas, validar cuadernos, huellas SHA-256.
* :mod:`~coursekit.grading.runner` y :mod:`~coursekit.grading.worker`: copia de trabajo, proceso
  aparte por cuaderno y límites de tiempo total, de memoria y de salida. ``kernel_launch.py``
  arranca el núcleo con esos límites.
* :mod:`~coursekit.grading.rubric` y :mod:`~coursekit.grading.reproduce`: puntos del enunciado y
  comparación de métricas.
* :mod:`~coursekit.grading.batch`: el lote completo; :mod:`~coursekit.grading.report`: HTML y CSV.

Nada de este paquete importa TensorFlow; lo importan, si acaso, los cuadernos que se califican.
"""

from coursekit.grading.batch import ClassResult, GradeOptions, StudentResult, grade_submissions
from coursekit.grading.report import write_class_reports
from coursekit.grading.verdicts import VERDICTS

__all__ = ["ClassResult", "GradeOptions", "StudentResult", "VERDICTS", "grade_submissions",
           "write_class_reports"]

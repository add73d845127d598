"""Modo de ejecución (rápido o completo), semillas y determinismo, e informe del dispositivo.

El modo rápido (``COURSEKIT_QUICK=1``) recorre el mismo código con menos datos y menos épocas para
que cada cuaderno termine en unos 90 s en dos núcleos de CPU; lo activan las pruebas y puede
activarlo un docente antes de una demostración en clase. Sin la variable, el modo es el completo.
"""

from __future__ import annotations

import logging
import os
import platform
import random
import warnings
from dataclasses import dataclass, field

from coursekit._errors import CourseKitWarning, invalid_value

logger = logging.getLogger(__name__)

QUICK_ENV = "COURSEKIT_QUICK"
_TRUE = {"1", "true", "yes", "si", "sí", "on"}
_FALSE = {"", "0", "false", "no", "off"}


class UnsupportedSetupWarning(CourseKitWarning):
    """Aviso de una instalación que coursekit no soporta (Keras 2, ``tf_keras`` heredado...)."""


def is_quick() -> bool:
    """Indica si está activo el modo rápido (variable de entorno ``COURSEKIT_QUICK``)."""
    raw = os.environ.get(QUICK_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise invalid_value(QUICK_ENV, raw, "'1' (modo rápido) o '0' (modo completo)",
                        f"Corrige la variable de entorno, p. ej. `export {QUICK_ENV}=1`.")


def set_quick(enabled: bool = True) -> None:
    """Activa o desactiva el modo rápido en este proceso (y en los núcleos que lance después)."""
    os.environ[QUICK_ENV] = "1" if enabled else "0"


def mode_name() -> str:
    """Devuelve el nombre del modo en español: ``"rápido"`` o ``"completo"``."""
    return "rápido" if is_quick() else "completo"


def pick(quick, full):
    """Devuelve ``quick`` en modo rápido y ``full`` en modo completo.

    Así un cuaderno declara ambos tamaños en una línea: ``epochs = pick(quick=2, full=15)``.
    """
    return quick if is_quick() else full


def seed_everything(seed: int = 42, deterministic: bool = True) -> int:
    """Fija las semillas de Python, NumPy y Keras/TensorFlow y activa el determinismo de TF.

    Con ``deterministic=True`` llama a ``tf.config.experimental.enable_op_determinism()``: dos
    ejecuciones con la misma semilla en la misma máquina dan los mismos pesos y métricas, a costa de
    algo de velocidad en GPU. Devuelve la semilla usada.
    """
    import numbers

    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise invalid_value("seed", seed, "un entero entre 0 y 2**32 - 1",
                            "Usa por ejemplo `seed_everything(42)`.")
    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)

    import numpy as np

    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
    if deterministic and keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
    return seed


@dataclass
class DeviceReport:
    """Resumen de versiones y dispositivos; ``str(report)`` lo escribe en español."""

    python: str
    numpy: str
    keras: str
    backend: str
    tensorflow: str | None
    gpus: list[str] = field(default_factory=list)
    strategy: str = "ninguna (un solo dispositivo)"
    mixed_precision: bool = False
    mode: str = "completo"

    def __str__(self) -> str:
        device = ", ".join(self.gpus) if self.gpus else "CPU (no se ha encontrado ninguna GPU)"
        lines = [
            f"Modo: {self.mode}",
            f"Python {self.python} · NumPy {self.numpy} · Keras {self.keras} (backend {self.backend})"
            + (f" · TensorFlow {self.tensorflow}" if self.tensorflow else ""),
            f"Dispositivo: {device}",
            f"Estrategia de distribución: {self.strategy}",
            f"Precisión mixta: {'activada' if self.mixed_precision else 'desactivada'}",
        ]
        return "\n".join(lines)


def check_setup() -> list[str]:
    """Comprueba que Keras es la versión 3 y que no se está usando ``tf_keras``; avisa si no.

    Devuelve la lista de problemas encontrados (vacía si todo está bien).
    """
    problems = []
    import keras

    major = int(keras.__version__.split(".")[0])
    if major < 3:
        problems.append(
            f"Keras {keras.__version__} es Keras 2; coursekit necesita Keras 3. "
            "Instala `pip install -U 'keras>=3.3' 'tensorflow>=2.16'`.")
    if os.environ.get("TF_USE_LEGACY_KERAS", "").strip() in _TRUE:
        problems.append(
            "TF_USE_LEGACY_KERAS está activado, así que `tf.keras` es el Keras 2 heredado (tf_keras). "
            "Borra la variable (`unset TF_USE_LEGACY_KERAS`) y reinicia el núcleo.")
    for problem in problems:
        warnings.warn(problem, UnsupportedSetupWarning, stacklevel=2)
    return problems


def gpu_names() -> list[str]:
    """Devuelve los nombres de las GPU que ve TensorFlow (lista vacía sin TF o sin GPU)."""
    try:
        import tensorflow as tf
    except ImportError:
        return []
    return [gpu.name for gpu in tf.config.list_physical_devices("GPU")]


def distribution_strategy(multi_gpu: bool = True):
    """Devuelve la estrategia ``tf.distribute`` adecuada: ``MirroredStrategy`` con varias GPU.

    Con una GPU o solo CPU devuelve la estrategia por defecto, que no cambia nada.
    """
    import tensorflow as tf

    if multi_gpu and len(gpu_names()) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def enable_mixed_precision(enabled: bool | None = None) -> bool:
    """Activa la precisión mixta (``mixed_float16``) si hay una GPU que la aproveche.

    Con ``enabled=None`` decide solo: activada con GPU de capacidad de cómputo ≥ 7.0, desactivada en
    CPU, donde float16 es más lento. Devuelve si quedó activada. La última capa de los modelos de
    coursekit se construye en float32 y las métricas convierten a float32.
    """
    import keras

    if enabled is None:
        enabled = False
        try:
            import tensorflow as tf

            for gpu in tf.config.list_physical_devices("GPU"):
                details = tf.config.experimental.get_device_details(gpu)
                if details.get("compute_capability", (0, 0)) >= (7, 0):
                    enabled = True
        except ImportError:
            enabled = False
    keras.mixed_precision.set_global_policy("mixed_float16" if enabled else "float32")
    return bool(enabled)


def device_report() -> DeviceReport:
    """Reúne versiones, GPU, estrategia y política de precisión en un :class:`DeviceReport`."""
    import keras
    import numpy as np

    check_setup()
    tf_version = None
    strategy = "ninguna (un solo dispositivo)"
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        tf_version = tf.__version__
        current = distribution_strategy()
        if current.num_replicas_in_sync > 1:
            strategy = f"{type(current).__name__} con {current.num_replicas_in_sync} réplicas"
    policy = keras.mixed_precision.global_policy().name
    return DeviceReport(
        python=platform.python_version(), numpy=np.__version__, keras=keras.__version__,
        backend=keras.backend.backend(), tensorflow=tf_version, gpus=gpu_names(),
        strategy=strategy, mixed_precision=policy.startswith("mixed"), mode=mode_name())


SEED_ENV = "COURSEKIT_SEED"


def default_seed(fallback: int = 42) -> int:
    """Devuelve la semilla de ``COURSEKIT_SEED`` (la fija ``coursekit grade``) o ``fallback``."""
    raw = os.environ.get(SEED_ENV, "").strip()
    if not raw:
        return fallback
    try:
        return int(raw)
    except ValueError:
        raise invalid_value(SEED_ENV, raw, "un número entero",
                            f"Corrige la variable de entorno, p. ej. `export {SEED_ENV}=42`.") from None

"""Configuración común de pytest: modo rápido, sin red y TensorFlow silencioso.

Se fija antes de que nbval arranque núcleos, así que los cuadernos heredan las mismas variables.
"""

import os

os.environ["COURSEKIT_QUICK"] = "1"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("MPLBACKEND", "Agg")

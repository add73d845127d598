"""Constructores de modelos Keras del curso: MLP, LeNet-5, AlexNet, VGG, ResNet y U-Net.

Cada constructor vive en su propio submódulo, que se importa (con Keras y TensorFlow) solo cuando se
pide el nombre: ``from coursekit.models import lenet5``.
"""

import importlib

_BUILDERS = {
    "mlp": "classic",
    "lenet5": "classic",
    "small_cnn": "classic",
    "alexnet": "alexnet",
    "vgg": "vgg",
    "resnet": "resnet",
    "small_resnet": "resnet",
    "unet": "unet",
}

__all__ = sorted(_BUILDERS)


def __getattr__(name):
    if name in _BUILDERS:
        module = importlib.import_module(f"{__name__}.{_BUILDERS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

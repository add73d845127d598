"""Controles interactivos (ipywidgets) para los cuadernos.

Cada control envuelve una función pura que se prueba por separado. Los submódulos se importan al
usarse: ``from coursekit.widgets.calculator import conv_calculator``.
"""

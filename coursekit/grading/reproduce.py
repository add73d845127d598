"""Comparar las métricas que declaró la entrega con las de la nueva ejecución.

Los números declarados salen del ``resultados_proyecto.json`` que venía con la entrega o, si no lo
trae, de una salida JSON del cuaderno entregado con la misma estructura. Dos valores coinciden si
``math.isclose(a, b, rel_tol=tolerancia, abs_tol=tolerancia)``: con la tolerancia por defecto de
0,02, una exactitud de 0,90 admite de 0,88 a 0,92.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

METRICS = (("validation", "accuracy"), ("validation", "loss"), ("test", "accuracy"),
           ("test", "loss"), ("test", "macro_f1"))


@dataclass
class MetricRow:
    """Una métrica de un modelo: valor declarado, valor re-ejecutado y si coinciden."""

    model: str
    metric: str
    reported: object
    rerun: object
    matches: bool


@dataclass
class Reproduction:
    """Resultado de la comparación: ``"pass"``, ``"fail"`` o ``"unchecked"``, motivo y filas."""

    status: str
    reason: str
    rows: list[MetricRow] = field(default_factory=list)
    source: str = ""

    @property
    def differences(self) -> list[MetricRow]:
        return [row for row in self.rows if not row.matches]


def _looks_like_results(data) -> bool:
    return isinstance(data, dict) and "schema_version" in data and isinstance(data.get("models"), list)


def reported_results(submission_source: Path, notebook, results_filename: str) -> tuple[dict | None, str]:
    """Busca los resultados declarados por la entrega; devuelve ``(resultados, origen)``."""
    if submission_source.is_dir():
        candidate = submission_source / results_filename
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                data = None
            if _looks_like_results(data):
                return data, f"{results_filename} de la entrega"
    for cell in getattr(notebook, "cells", []) or []:
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {}).get("application/json")
            if _looks_like_results(data):
                return dict(data), "salida JSON del cuaderno entregado"
    return None, ""


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _short(value) -> str:
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def _models_by_name(results: dict) -> dict[str, dict]:
    return {str(m.get("name")): m for m in results.get("models") or [] if isinstance(m, dict)}


def compare_results(reported: dict | None, rerun: dict | None, tolerance: float, *,
                    source: str = "", rerun_mode: str = "", rerun_seed: int | None = None) -> Reproduction:
    """Compara métrica a métrica y devuelve una :class:`Reproduction`."""
    if reported is None:
        return Reproduction("unchecked", "La entrega no trae números declarados (ni "
                            "resultados_proyecto.json ni una salida JSON de resultados).")
    if rerun is None:
        return Reproduction("unchecked", "La nueva ejecución no produjo un archivo de resultados.",
                            source=source)
    if reported.get("mode") and rerun_mode and reported.get("mode") != rerun_mode:
        return Reproduction("unchecked",
                            f"La entrega se ejecutó en modo '{reported.get('mode')}' y la calificación "
                            f"en modo '{rerun_mode}'; repite con el mismo modo para comparar.",
                            source=source)
    rows: list[MetricRow] = []
    old_models, new_models = _models_by_name(reported), _models_by_name(rerun)
    for name in sorted(set(old_models) | set(new_models)):
        if name not in new_models or name not in old_models:
            where = "la nueva ejecución" if name not in new_models else "la entrega"
            rows.append(MetricRow(name, f"modelo ausente en {where}", name in old_models,
                                  name in new_models, False))
            continue
        for part, metric in METRICS:
            old = _number((old_models[name].get(part) or {}).get(metric))
            new = _number((new_models[name].get(part) or {}).get(metric))
            if old is None and new is None:
                continue
            same = old is not None and new is not None and math.isclose(
                old, new, rel_tol=tolerance, abs_tol=tolerance)
            rows.append(MetricRow(name, f"{part}.{metric}", old, new, same))
    rows.append(MetricRow("—", "best_model", reported.get("best_model"), rerun.get("best_model"),
                          reported.get("best_model") == rerun.get("best_model")))
    note = ""
    if rerun_seed is not None and reported.get("seed") not in (None, rerun_seed):
        note = f" La entrega usó la semilla {reported.get('seed')} y la calificación {rerun_seed}."
    wrong = [row for row in rows if not row.matches]
    if wrong:
        listed = "; ".join(f"{row.model} {row.metric}: {_short(row.reported)} → {_short(row.rerun)}"
                           for row in wrong[:5])
        return Reproduction("fail", f"{len(wrong)} de {len(rows)} valores no coinciden con tolerancia "
                            f"{tolerance:g} ({listed}).{note}", rows, source)
    return Reproduction("pass", f"Los {len(rows)} valores coinciden con tolerancia {tolerance:g}.{note}",
                        rows, source)

"""Helpers for the transfer-learning course: assets, data, models, plots, metrics.

>>> import helpers
>>> sorted(m for m in ("assets", "data", "models", "plots") if hasattr(helpers, m))
['assets', 'data', 'models', 'plots']
"""

from . import assets, data, explain, metrics, models, notebook, offline, plots
from .models import imagenet_weights

__all__ = ["assets", "data", "explain", "metrics", "models", "notebook", "offline", "plots", "imagenet_weights"]
__version__ = "0.1.0"

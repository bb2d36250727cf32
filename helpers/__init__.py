"""What a learner imports: data, models, plots, explain, exercises (and :mod:`helpers.tfhub`).

What runs the course (assets and stand-ins, the notebooks' plumbing, runner, Colab, metrics,
the command line) lives apart, in :mod:`helpers.course`.

>>> import helpers
>>> sorted(m for m in ("course", "data", "models", "plots") if hasattr(helpers, m))
['course', 'data', 'models', 'plots']
"""

from . import course, data, explain, models, plots
from .models import imagenet_weights

__all__ = ["course", "data", "explain", "models", "plots", "imagenet_weights"]
__version__ = "0.1.0"

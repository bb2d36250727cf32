"""What runs the course, apart from what learners import (:mod:`helpers`).

- the offline world: :mod:`.assets` (one table: URL, checksum, size, cache path of every
  asset), :mod:`.offline` (the labelled stand-ins), :mod:`.mirror` (a classroom's mirror);
- the notebooks' plumbing: :func:`setup`, the one setup call of every notebook (:mod:`.notebook`:
  mode, seeds, assets and their stand-in labels), :mod:`.params` (defaults and checks of the
  parameters), :mod:`.metrics` (records for CI and the reproducibility check);
- tooling: :mod:`.runner` (papermill, HTML, slides), :mod:`.decks` (reveal.js for offline slides),
  :mod:`.colab`, :mod:`.verify` (the offline study), :mod:`.rehearsal` (the online path on 127.0.0.1)
  and :mod:`.cli` (``python -m helpers``).

Learner modules may import :mod:`.assets`, :mod:`.offline` and :mod:`.params`, never the tooling
(tests/test_layout.py).
"""

from . import assets, metrics, notebook, offline, params
from .notebook import setup

__all__ = ["assets", "metrics", "notebook", "offline", "params", "setup"]

"""Mutation score per module (and for helpers.models.unfreeze_top) from mutmut's results in mutants/.

Run by ``make mutation`` after ``mutmut run``; reads the ``mutants/**/*.py.meta`` files mutmut writes.
Killed and timed-out mutants count as killed; "not checked" (a run stopped early) is listed apart.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# mutmut 3's exit codes (mutmut.stats.status_by_exit_code)
KILLED = {1, 3, 24, -24, 152, 255, 36, 37}
SURVIVED = {0}


def scores(root: Path = Path("mutants")) -> dict[str, Counter]:
    """``{target: Counter(killed=..., survived=..., other=..., unchecked=...)}``."""
    result: dict[str, Counter] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        module = meta.relative_to(root).as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {})
        for name, code in codes.items():
            targets = [module] + (["helpers.models.unfreeze_top"] if "x_unfreeze_top__mutmut" in name else [])
            for target in targets:
                c = result.setdefault(target, Counter())
                c[
                    "killed"
                    if code in KILLED
                    else "survived"
                    if code in SURVIVED
                    else "unchecked"
                    if code is None
                    else "other"
                ] += 1
    return result


def main() -> int:
    """Print one line per module: killed/total and the percentage."""
    found = scores()
    if not found:
        print("no mutmut results in mutants/: run `make mutation` first")
        return 1
    for target, c in found.items():
        total = c["killed"] + c["survived"] + c["other"]
        pct = f"{100 * c['killed'] / total:.1f}%" if total else "-"
        extra = f", {c['unchecked']} not run yet" if c["unchecked"] else ""
        print(
            f"{target}: {c['killed']}/{total} killed ({pct}); {c['survived']} survived, "
            f"{c['other']} other (no tests, suspicious){extra}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

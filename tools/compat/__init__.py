"""Contract evolution: does a new version of a spec break a caller of the old one?

`spec-compat OLD NEW` (cli.py) compares two files; `python -m tools.compat gate` (gate.py, behind
`make compat`) compares every registered spec with its released version in `specs/released/`;
`python -m tools.compat release` (`make release`) moves the released versions forward.
"""

from tools.compat.checker import Change, Operation, Report, compare
from tools.compat.rules import RULES, Rule
from tools.compat.spec import Spec, SpecError, load

__all__ = ["RULES", "Change", "Operation", "Report", "Rule", "Spec", "SpecError", "compare", "load"]

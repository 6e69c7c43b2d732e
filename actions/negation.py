"""Values a customer takes back in the same breath: "at 15:00, not 16:00", "no, not
the CDN - the ECS", "不是4点". One reading for times, orders and products alike ("not until 5pm" is
not one: it says when)."""
from __future__ import annotations

import re
from typing import Any, Mapping

#: a negation right before the value, with at most a preposition or determiner between
NEGATION_BEFORE = re.compile(
    r"(?:\bnot|n't|\binstead of|\brather than|\bnever|不是)\s*"
    r"(?:(?:at|on|from|the|my|our|that|this)\s+)?(?:那个)?$", re.I)
#: how far before the value the negation may start
WINDOW = 20


def negated(text: Any, entity: Mapping[str, Any]) -> bool:
    """Pure: True when the entity's words follow a negation ("not 16:00")."""
    start = entity.get("start")
    if not isinstance(text, str) or not isinstance(start, int):
        return False
    return bool(NEGATION_BEFORE.search(text[max(0, start - WINDOW):start]))

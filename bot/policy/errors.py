"""The one error the policy raises for bad input (docs/POLICY_RULES.md: a clear
error naming the field, never a guess)."""
from __future__ import annotations


class PolicyInputError(ValueError):
    """Bad input in a case. `field` is the fact's path (`items[0].purchased_at`),
    `message` says what is wrong; `str(err)` is "<field>: <message>"."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def __reduce__(self):  # picklable (the field and message survive)
        return (type(self), (self.field, self.message))


class PolicyDataError(RuntimeError):
    """policy.yaml itself is inconsistent: a deployment error, not bad input."""

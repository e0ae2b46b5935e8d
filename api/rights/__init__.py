"""A participant's rights: a copy of their data, and erasure when they leave.

Importing this package gives the write path its rule for erased participants (nothing is
written to them again; api.common.records).
"""

from __future__ import annotations

from api.common.records import set_erasure_rule
from api.rights.rules import write_refusal_after_erasure

set_erasure_rule(write_refusal_after_erasure)

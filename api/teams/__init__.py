"""Teams and user accounts, managed by admins."""

from __future__ import annotations

from api.access import register_accounts
from api.accounts.models import User

register_accounts(user=User)

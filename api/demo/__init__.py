"""The demo team: about six months of believable field work, ending today (`flask ips seed-demo`).

Everything is drawn from one seeded random generator, so the same day gives the same data; dates
are relative to today in the product's time zone, so the reports always show recent weeks.
No text anywhere mentions health: the product must not hold it, and neither does its demo.

- `team.py`: the logins, how each specialist works, the time the demo covers;
- `names.py`: names, employers, industries and places (also drawn on by bench/national.py);
- `texts.py`: what the people write in profiles, notes, reviews and plans;
- `caseload.py`: `DemoTeam`, which builds the rows, a story at a time;
- `seed.py`: `seed_demo`, which puts them in the database.
"""

from api.demo.names import FIRST_NAMES, LAST_NAMES
from api.demo.seed import DemoAlreadySeeded, seed_demo
from api.demo.team import PASSWORD

__all__ = ["FIRST_NAMES", "LAST_NAMES", "PASSWORD", "DemoAlreadySeeded", "seed_demo"]

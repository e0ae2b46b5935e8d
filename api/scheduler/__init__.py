"""The scheduler: timed jobs (reminders, the weekly nudges, housekeeping) run in a process of
their own (`flask ips scheduler`), each run once however many processes there are, and the
notifications they queue sent from there, never inside a request (docs/architecture.md)."""

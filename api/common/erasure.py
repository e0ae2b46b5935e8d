"""What erasure of a participant (GDPR art. 17, api.rights) writes in place of their names and
the titles of their plan: each entity names its free-text fields and these words in its
declaration (api.common.entity.Entity.erased)."""

ERASED_FIRST_NAME = "Slettet"
ERASED_LAST_NAME = "deltaker"
ERASED_TITLE = "(slettet)"

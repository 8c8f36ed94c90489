"""Identity service: users, groups and memberships, passwords and sign-in throttling, API
tokens, and the credential stamps that end a portal session when a password changes."""
from __future__ import annotations

from engine.lazy_exports import lazy_exports

__getattr__, __all__ = lazy_exports(__name__, {
    "IdentityService": "service",
    "IdentityError": "service",
    "Principal": "service",
    "CredentialStamps": "credential_stamps",
    "USER_ID": "service",
})

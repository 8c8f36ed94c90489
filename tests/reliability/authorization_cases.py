"""The vocabulary of the authorization tables: a case is one route, one variant, what each role gets.

`expect(default, **roles)` gives every signed-in role `default` unless named; the roles that are
not signed in (no login, an expired token, a revoked token) get what the runner knows the service
answers them (REST 401, portal: to the sign-in page) unless the case is public.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from tests.reliability.authorization_seed import NOT_SIGNED_IN, SIGNED_IN

LOGIN = "login"  # the portal's redirect to its sign-in page
OFFICE_WIDE = ("tchcqt", "chief", "admin")


@dataclass(frozen=True)
class Case:
    method: str
    rule: str  # as app.url_map writes it, so that every route is accounted for
    variant: str
    build: Callable  # seed -> (url, request keyword arguments); called once per request
    expected: dict[str, int | str]
    fresh_session: bool = False  # the request changes the session (sign in, sign out, language)

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule} [{self.variant}]"


@dataclass(frozen=True)
class Table:
    refused_without_login: int | str
    cases: list[Case] = field(default_factory=list)

    def add(self, method: str, rule: str, variant: str, build: Callable, expected: dict,
            *, public: bool = False, fresh_session: bool = False) -> None:
        table = dict(expected)
        for role in NOT_SIGNED_IN:
            table.setdefault(role, table.get("anonymous", expected["staff"]) if public else self.refused_without_login)
        missing = set(SIGNED_IN + NOT_SIGNED_IN) - set(table)
        assert not missing, f"{method} {rule}: no decision for {sorted(missing)}"
        self.cases.append(Case(method, rule, variant, build, table, fresh_session))


def expect(default, **roles) -> dict:
    table = {role: default for role in SIGNED_IN}
    unknown = set(roles) - set(SIGNED_IN) - set(NOT_SIGNED_IN)
    assert not unknown, unknown
    table.update(roles)
    return table


def office_wide(allowed, otherwise, **roles) -> dict:
    """The office-wide roles get `allowed`, the rest `otherwise`, unless named."""
    return expect(otherwise, **{role: allowed for role in OFFICE_WIDE}, **roles)


def only(allowed, otherwise, *who) -> dict:
    return expect(otherwise, **{role: allowed for role in who})

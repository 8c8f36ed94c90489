"""The register of issued documents: numbers per kind and year, once per reference."""
from __future__ import annotations

import threading

import pytest

from engine.handlers import ServiceTaskContext
from workflows.document_register import ATTEMPTS, DocumentRegister, DocumentRegisterError, make_number_document_handler


@pytest.fixture
def register(db) -> DocumentRegister:
    return DocumentRegister(db)


def test_numbers_follow_each_other_per_kind_and_restart_each_year(register):
    assert register.issue("QĐ-VPUB", 2025, "KH-1:Service_a") == "01/QĐ-VPUB"
    assert register.issue("QĐ-VPUB", 2025, "KH-1:Service_b") == "02/QĐ-VPUB"
    assert register.issue("TB-VPUB", 2025, "KH-1:Service_c") == "01/TB-VPUB"
    assert register.issue("QĐ-VPUB", 2026, "KH-2:Service_a") == "01/QĐ-VPUB"
    # Asking again for the same document (a retried step) gives the same number.
    assert register.issue("QĐ-VPUB", 2025, "KH-1:Service_a") == "01/QĐ-VPUB"
    assert [d.number for d in register.issued("QĐ-VPUB", 2025)] == [1, 2]


def test_concurrent_issuers_get_different_numbers(register):
    # More issuers than a loser's attempts: they must take turns, not race and give up.
    issuers = ATTEMPTS * 2
    numbers, barrier = [], threading.Barrier(issuers)

    def issue(i):
        barrier.wait()
        numbers.append(register.issue("QĐ-VPUB", 2025, f"ref-{i}"))

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(issuers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers) == [f"{n:02d}/QĐ-VPUB" for n in range(1, issuers + 1)]


def test_bad_kind_is_refused(register):
    for kind in ("", "QĐ/VPUB", "X" * 40):
        with pytest.raises(DocumentRegisterError):
            register.issue(kind, 2025, "ref")


def context(properties: dict, variables: dict) -> ServiceTaskContext:
    return ServiceTaskContext(instance_id="i-1", business_key="KH-80NTT-2025", definition_key="campaign",
                              element_id="Service_number_decision", topic="number_document",
                              variables=variables, properties=properties)


def test_the_handler_numbers_what_the_properties_say(register):
    handler = make_number_document_handler(register)
    properties = {"documentKind": "QĐ-VPUB", "target": "decisionNumber", "yearFrom": "decisionDate"}
    assert handler(context(properties, {"decisionDate": "2025-08-20"})) == {"decisionNumber": "01/QĐ-VPUB"}
    assert handler(context(properties, {"decisionDate": "2025-08-21"})) == {"decisionNumber": "01/QĐ-VPUB"}
    with pytest.raises(DocumentRegisterError, match="target"):
        handler(context({"documentKind": "QĐ-VPUB", "yearFrom": "decisionDate"}, {"decisionDate": "2025-08-20"}))
    with pytest.raises(DocumentRegisterError, match="decisionDate"):
        handler(context(properties, {}))

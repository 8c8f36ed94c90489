"""Parse uploaded BPMN/DMN XML without trusting it: no DTD, no entities, no network, bounded size."""
from __future__ import annotations

import re

from lxml import etree

from engine.errors import DeploymentError, Problem

# A DOCTYPE is how XXE and entity-expansion ("billion laughs") attacks start; BPMN never needs one.
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(content: bytes, file_name: str, max_bytes: int) -> etree._Element:
    if len(content) > max_bytes:
        raise DeploymentError([Problem(
            file_name, f"file is {len(content):,} bytes; the limit is {max_bytes:,} bytes")])
    if not content.strip():
        raise DeploymentError([Problem(file_name, "file is empty")])
    match = _DOCTYPE.search(content)
    if match:
        line = content.count(b"\n", 0, match.start()) + 1
        raise DeploymentError([Problem(
            file_name, "DOCTYPE and ENTITY declarations are not allowed in BPMN or DMN files", line=line)])
    try:
        root = etree.fromstring(content, _parser())
    except etree.XMLSyntaxError as err:
        line = err.lineno if err.lineno else None
        raise DeploymentError([Problem(file_name, f"not well-formed XML: {err.msg}", line=line)]) from None
    return root

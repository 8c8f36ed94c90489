"""Benchmark: the documents of a 63-person campaign, each kind's PDF and then every document.

Every one of the demo Office's 63 people and its 7 units awarded (one person in five a Bằng khen,
the rest Giấy khen); renders the PDF of every document kind (workflows/documents/kinds.py: the
unit's documents for Phòng Tổng hợp, the achievement report of one person and of one collective),
the Giấy khen batch (one page per Giấy khen awardee) and signs the decision with a throwaway
certificate made at run time; then every document of the campaign in every format the store gives
(the campaign's kinds, every unit's tờ trình with its XLSX list, every nominee's achievement
report, DOCX and PDF, the certificates), the issue's target being under 10 s. Usage: python bench/documents.py [--repeat R] [--out DIR]
"""
from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path
from collections import Counter

# Run as a script, bench/ would come first on sys.path, and its http.py and engine.py would shadow
# the standard library's http (which pyHanko's and SQLAlchemy's imports reach) and the engine package.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.workflows.document_data import positions, unit_variables, whole_office  # noqa: E402
from tests.workflows.signing_keys import make_p12  # noqa: E402
from workflows.demo_office import demo_office  # noqa: E402
from workflows.documents.certificates import render_certificates  # noqa: E402
from workflows.documents.contexts import with_positions  # noqa: E402
from workflows.documents.kinds import KINDS, build, nominees_with_reports  # noqa: E402
from workflows.documents.pdf_render import render_document_pdf  # noqa: E402
from workflows.documents.batch import Job, render_many, workers_for  # noqa: E402
from workflows.documents.renditions import LISTS, list_source  # noqa: E402
from workflows.documents.signing import SigningConfig, load_p12_signer, sign_pdf, verify_pdf  # noqa: E402

UNIT = "tong_hop"
NOMINEES = {"achievement_report": "nom-lanpt", "achievement_report (collective)": "nom-tong_hop"}


def run_once(variables: dict, unit: dict, staff_positions: dict, signer, out: Path | None) -> dict[str, float]:
    timings, outputs = {}, {}
    documents = [(kind, lambda kind=kind: render_document_pdf(kind, variables, unit, NOMINEES.get(kind)))
                 for kind in KINDS]
    documents.append(("achievement_report (collective)", lambda: render_document_pdf(
        "achievement_report", variables, unit, NOMINEES["achievement_report (collective)"])))
    for name, make in (
            *documents,
            ("certificates", lambda: render_certificates(variables, staff_positions)),
            ("sign decision", lambda: sign_pdf(outputs["chief_decision"], signer)),
            ("verify signature", lambda: verify_pdf(outputs["sign decision"])),
    ):
        start, cpu = time.perf_counter(), time.process_time()
        outputs[name] = make()
        timings[name] = time.perf_counter() - start
        timings[name + " (cpu)"] = time.process_time() - cpu
    if out:
        out.mkdir(parents=True, exist_ok=True)
        for name, _ in documents:
            (out / f"{name.replace(' (', '_').rstrip(')')}.pdf").write_bytes(outputs[name])
        (out / "certificates.pdf").write_bytes(outputs["certificates"])
        (out / "chief_decision.signed.pdf").write_bytes(outputs["sign decision"])
    return timings


def every_document(variables: dict, units: dict[str, dict]) -> list[tuple[str, Job]]:
    """Every document of the campaign in every format the store gives it (DOCX always, PDF, XLSX
    for a list): the campaign's kinds once, each unit's tờ trình and each nominee's report, as
    DocumentStore.prepare hands them to batch.render_many."""
    jobs = []

    def add(label: str, kind: str, unit: dict | None, nominee: str | None = None) -> None:
        context = build(kind, variables, unit, nominee_id=nominee)
        for fmt in ["docx", "pdf"] + (["xlsx"] if kind in LISTS else []):
            source = list_source(kind, variables, unit) if fmt == "xlsx" else None
            jobs.append((f"{label} {fmt}", (kind, fmt, context, None, source)))

    for kind, spec in KINDS.items():
        if spec.scope == "campaign":
            add(kind, kind, None)
    for code, unit in units.items():
        add(f"unit_proposal {code}", "unit_proposal", unit)
        for nominee in nominees_with_reports(unit):
            add(f"achievement_report {nominee}", "achievement_report", unit, nominee)
    return jobs


def run_every(jobs: list[tuple[str, Job]], variables: dict, staff_positions: dict,
              workers: int | None) -> tuple[float, float]:
    """Every file through the product's batch path, then the Giấy khen certificates."""
    start, cpu = time.perf_counter(), time.process_time()
    render_many([job for _, job in jobs], workers)
    render_certificates(variables, staff_positions)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="keep the PDFs of the last run here")
    args = parser.parse_args()
    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # the self-signed root is untrusted: expected

    office = demo_office()
    staff_positions = positions(office)
    variables = with_positions(whole_office(office), staff_positions)
    unit = with_positions(unit_variables(office, variables, UNIT), staff_positions)
    giay_khen = sum(1 for e in variables["awarded"] if e["award"] == "giay_khen")
    with tempfile.TemporaryDirectory() as tmp:
        signer = load_p12_signer(SigningConfig(make_p12(Path(tmp) / "bench.p12", b"bench"), b"bench"))
    print(f"{len(office.staff)} people, {len(variables['awarded'])} awarded entries, {giay_khen} Giấy khen")
    runs = [run_once(variables, unit, staff_positions, signer, args.out if i == args.repeat - 1 else None)
            for i in range(args.repeat)]
    for name in (n for n in runs[0] if not n.endswith("(cpu)")):
        print(f"  {name:<32} {min(r[name] for r in runs):6.2f} s wall, "
              f"{min(r[name + ' (cpu)'] for r in runs):6.2f} s cpu (best of {args.repeat})")
    walls = [sum(v for k, v in r.items() if not k.endswith("(cpu)")) for r in runs]
    cpus = [sum(v for k, v in r.items() if k.endswith("(cpu)")) for r in runs]
    # CPU time too: on a shared machine the wall clock also counts other processes' work.
    print(f"PDF of each kind, certificates and signature: {min(walls):.2f} s wall best ({max(walls):.2f} worst), "
          f"{min(cpus):.2f} s cpu")
    units = {u.code: with_positions(unit_variables(office, variables, u.code), staff_positions) for u in office.units}
    jobs = every_document(variables, units)
    by_format = Counter(name.rsplit(" ", 1)[1].upper() for name, _ in jobs)
    print(f"EVERY document of the campaign: {len(jobs)} files ({', '.join(f'{n} {f}' for f, n in sorted(by_format.items()))})"
          f" + the certificates; {len(units)} units' tờ trình and lists, each nominee's achievement report")
    for label, workers in (("one process", 1), (f"every core ({workers_for(len(jobs))} workers)", None)):
        runs = [run_every(jobs, variables, staff_positions, workers) for _ in range(args.repeat)]
        wall, cpu = min(runs)
        print(f"  {label:<32} {wall:6.2f} s wall best ({max(r[0] for r in runs):.2f} worst), "
              f"{cpu:6.2f} s cpu in this process (target: < 10 s)")

if __name__ == "__main__":
    main()

"""PAdES signatures with pyHanko on an issued PDF: signed with the Office's PKCS#12 file (made at
test time), verified (intact, valid, trusted, signer's name), a tampered copy fails, a signed field
is never signed over, and bad configuration is refused in Vietnamese and English."""
from __future__ import annotations

import logging
from io import BytesIO

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.generic import NameObject, TextStringObject

from tests.workflows.document_data import decision_end, positions
from tests.workflows.signing_keys import OFFICE_NAME, make_p12
from workflows.demo_office import demo_office
from workflows.documents.contexts import with_positions
from workflows.documents.pdf_render import render_document_pdf
from workflows.documents.signing import (SIGNATURE_FIELD, SigningConfig, SigningError, configured_trust_roots,
                                         load_p12_signer, sign_pdf, sign_with_configured, signed_fields, verify_pdf)

PASSPHRASE = "Mật-khẩu 2025"


@pytest.fixture(autouse=True)
def quiet_validator(caplog):
    # pyHanko logs an untrusted self-signed chain as an error with a traceback; the tests say it.
    caplog.set_level(logging.CRITICAL, logger="pyhanko")


@pytest.fixture(scope="module")
def decision() -> bytes:
    office = demo_office()
    return render_document_pdf("chief_decision", with_positions(decision_end(office), positions(office)))


@pytest.fixture
def environ(tmp_path) -> dict[str, str]:
    p12 = make_p12(tmp_path / "van_phong.p12", PASSPHRASE.encode())
    return {"THIDUA_SIGNING_P12": str(p12), "THIDUA_SIGNING_PASSPHRASE": PASSPHRASE}


def bilingual(error: Exception, vietnamese: str, english: str) -> None:
    message = str(error)
    assert " / " in message and vietnamese in message and english in message, message


def test_a_signed_decision_verifies_with_the_signers_name(decision, environ):
    signed = sign_with_configured(decision, environ)
    assert signed != decision and signed.startswith(decision)  # an incremental update: nothing overwritten
    assert signed_fields(decision) == [] and signed_fields(signed) == [SIGNATURE_FIELD]
    [report] = verify_pdf(signed, configured_trust_roots(environ))
    assert (report.field, report.signer) == (SIGNATURE_FIELD, OFFICE_NAME)
    assert report.intact and report.valid and report.trusted and report.unaltered and report.ok
    assert report.signed_at is not None
    assert report.describe().startswith("Chữ ký số hợp lệ: Văn phòng UBND tỉnh Sơn La, ký lúc ")
    assert report.as_dict()["ok"] is True and report.as_dict()["signer"] == OFFICE_NAME
    # Without the Office's certificate as a root the signature is intact but not trusted.
    [untrusted] = verify_pdf(signed)
    assert untrusted.intact and untrusted.valid and not untrusted.trusted and not untrusted.ok
    assert "không thuộc cơ quan tin cậy" in untrusted.describe() and "not trusted" in untrusted.describe()


def test_a_tampered_pdf_does_not_verify(decision, environ):
    signed = sign_with_configured(decision, environ)
    at = signed.index(b"Filter /FlateDecode") + 40  # a byte inside the first content stream
    tampered = signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:]
    [report] = verify_pdf(tampered, configured_trust_roots(environ))
    assert not report.intact and not report.ok
    assert "đã bị sửa sau khi" in report.describe() and "was changed after" in report.describe()


def test_a_change_appended_after_signing_is_seen(decision, environ):
    signed = sign_with_configured(decision, environ)
    writer = IncrementalPdfFileWriter(BytesIO(signed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page[NameObject("/Contents")] = writer.add_object(TextStringObject("altered"))  # the page replaced
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    [report] = verify_pdf(out.getvalue(), configured_trust_roots(environ))
    assert report.intact and report.valid  # the signed revision itself is untouched...
    assert not report.unaltered and not report.ok  # ...but the document is not what was signed
    assert "bị thay đổi sau chữ ký" in report.describe() and "changed after" in report.describe()


def test_a_signed_field_is_never_signed_over_but_a_second_signature_may_follow(decision, environ):
    signed = sign_with_configured(decision, environ)
    with pytest.raises(SigningError) as again:
        sign_with_configured(signed, environ)
    bilingual(again.value, "đã được ký ở ô chữ ký 'ChuKySo'", "already signed in the field 'ChuKySo'")
    countersigned = sign_pdf(signed, load_p12_signer(SigningConfig.from_env(environ)), field_name="XacNhan")
    assert countersigned.startswith(signed)
    reports = verify_pdf(countersigned, configured_trust_roots(environ))
    assert [r.field for r in reports] == [SIGNATURE_FIELD, "XacNhan"]
    assert all(r.ok for r in reports)  # the first stays valid under the countersignature


def test_bad_configuration_and_bad_input_are_refused_in_both_languages(decision, environ, tmp_path):
    with pytest.raises(SigningError) as missing:
        sign_with_configured(decision, {})
    bilingual(missing.value, "Chưa cấu hình chứng thư số", "not configured (THIDUA_SIGNING_P12)")
    with pytest.raises(SigningError) as no_file:
        sign_with_configured(decision, {**environ, "THIDUA_SIGNING_P12": str(tmp_path / "khong_co.p12")})
    bilingual(no_file.value, "Không tìm thấy tệp chứng thư số", "does not exist")
    with pytest.raises(SigningError) as wrong:
        sign_with_configured(decision, {**environ, "THIDUA_SIGNING_PASSPHRASE": "sai"})
    bilingual(wrong.value, "sai mật khẩu", "wrong passphrase")
    not_p12 = tmp_path / "not.p12"
    not_p12.write_bytes(b"not a certificate")
    with pytest.raises(SigningError) as garbage:
        sign_with_configured(decision, {**environ, "THIDUA_SIGNING_P12": str(not_p12)})
    bilingual(garbage.value, "không phải tệp PKCS#12", "not a PKCS#12 file")
    with pytest.raises(SigningError) as not_pdf:
        sign_with_configured(b"%PDF-1.7 truncated", environ)
    bilingual(not_pdf.value, "không phải là PDF hợp lệ", "not a valid PDF")

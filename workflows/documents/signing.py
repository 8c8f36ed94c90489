"""Digital signatures of issued PDFs (PAdES, pyHanko) with the Office's certificate, and their
verification for the portal.

The key is configured by the administrator (README, "Configuration"): THIDUA_SIGNING_P12, the
path of the Office's PKCS#12 file, and THIDUA_SIGNING_PASSPHRASE. In production the key stays on
a USB token: any pyHanko Signer (pyhanko.sign.pkcs11.PKCS11Signer) can be passed to sign_pdf in
place of the PKCS#12 one; README "Signing documents" shows how.

A signed document is never overwritten: signing returns new bytes (an incremental update that
keeps the original bytes intact), and signing again into a field that is already signed is refused.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Iterable, Mapping

from asn1crypto import x509
from cryptography.hazmat.primitives.serialization import pkcs12
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as HankoSigningError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

SIGNATURE_FIELD = "ChuKySo"  # the field of the issuing signature (chữ ký số)
MESSAGES = {
    "not_configured": ("Chưa cấu hình chứng thư số của Văn phòng (THIDUA_SIGNING_P12).",
                       "The Office's signing certificate is not configured (THIDUA_SIGNING_P12)."),
    "missing_file": ("Không tìm thấy tệp chứng thư số {path}.", "The certificate file {path} does not exist."),
    "bad_p12": ("Không mở được tệp chứng thư số: sai mật khẩu hoặc không phải tệp PKCS#12.",
                "The certificate file cannot be opened: wrong passphrase or not a PKCS#12 file."),
    "not_pdf": ("Tệp không phải là PDF hợp lệ: {reason}.", "The file is not a valid PDF: {reason}."),
    "already_signed": ("Văn bản đã được ký ở ô chữ ký '{field}': không ký đè lên văn bản đã ký.",
                       "The document is already signed in the field '{field}': a signed document is never "
                       "signed over."),
    "sign_failed": ("Không ký được văn bản: {reason}.", "The document could not be signed: {reason}."),
}


class SigningError(ValueError):
    """Signing refused or impossible, said in Vietnamese and English ("vi / en")."""

    def __init__(self, code: str, **params: str) -> None:
        vietnamese, english = MESSAGES[code]
        self.code = code
        super().__init__(f"{vietnamese.format(**params)} / {english.format(**params)}")


@dataclass(frozen=True)
class SigningConfig:
    p12_path: Path | None
    passphrase: bytes | None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "SigningConfig":
        environ = os.environ if environ is None else environ
        path = environ.get("THIDUA_SIGNING_P12", "").strip()
        passphrase = environ.get("THIDUA_SIGNING_PASSPHRASE")
        return cls(Path(path) if path else None, passphrase.encode() if passphrase else None)


def load_p12_signer(config: SigningConfig) -> signers.SimpleSigner:
    """The Office's signer from its PKCS#12 file; a clear refusal when it cannot be opened."""
    if config.p12_path is None:
        raise SigningError("not_configured")
    if not config.p12_path.is_file():
        raise SigningError("missing_file", path=str(config.p12_path))
    try:  # opened here first so a wrong passphrase says so instead of pyHanko's bare None
        pkcs12.load_key_and_certificates(config.p12_path.read_bytes(), config.passphrase)
    except (ValueError, TypeError) as error:
        raise SigningError("bad_p12") from error
    signer = signers.SimpleSigner.load_pkcs12(str(config.p12_path), passphrase=config.passphrase)
    if signer is None:
        raise SigningError("bad_p12")
    return signer


def _reader(data: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(BytesIO(data), strict=False)
    except (PdfError, ValueError, KeyError) as error:
        raise SigningError("not_pdf", reason=str(error) or type(error).__name__) from error


def signed_fields(data: bytes) -> list[str]:
    """The names of the signature fields already signed in the PDF."""
    return [s.field_name for s in _reader(data).embedded_signatures]


def sign_pdf(data: bytes, signer: signers.Signer, field_name: str = SIGNATURE_FIELD,
             reason: str = "Ban hành văn bản", location: str | None = None) -> bytes:
    """The PDF signed (PAdES B-B, SHA-256) as new bytes; `data` itself is left as it was.
    Refused when `field_name` is already signed."""
    if field_name in signed_fields(data):
        raise SigningError("already_signed", field=field_name)
    metadata = signers.PdfSignatureMetadata(field_name=field_name, md_algorithm="sha256", reason=reason,
                                            location=location, subfilter=fields.SigSeedSubFilter.PADES)
    try:
        writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
        output = signers.sign_pdf(writer, metadata, signer=signer, output=BytesIO())
    except (HankoSigningError, PdfError) as error:
        raise SigningError("sign_failed", reason=str(error)) from error
    return output.getvalue()


def sign_with_configured(data: bytes, environ: Mapping[str, str] | None = None, **options: str) -> bytes:
    """Signs with the certificate the administrator configured (THIDUA_SIGNING_*)."""
    return sign_pdf(data, load_p12_signer(SigningConfig.from_env(environ)), **options)


@dataclass(frozen=True)
class SignatureReport:
    """What the portal shows of one signature."""
    field: str
    signer: str  # the certificate's common name
    signed_at: datetime | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature is right
    trusted: bool  # the certificate chains to a trusted root (the Office's own, or one given)
    unaltered: bool  # nothing but further signatures (or form filling) was added after it

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.unaltered

    def describe(self) -> str:
        """The line the portal shows beside the document, "vi / en"."""
        when = self.signed_at.strftime("%d/%m/%Y %H:%M") if self.signed_at else "?"
        if self.ok:
            return (f"Chữ ký số hợp lệ: {self.signer}, ký lúc {when}. / "
                    f"Valid signature: {self.signer}, signed at {when}.")
        if not (self.intact and self.valid):
            return (f"Chữ ký số không hợp lệ: văn bản đã bị sửa sau khi {self.signer} ký. / "
                    f"Invalid signature: the document was changed after {self.signer} signed it.")
        if not self.unaltered:
            return (f"Văn bản đã bị thay đổi sau chữ ký của {self.signer}. / "
                    f"The document was changed after {self.signer}'s signature.")
        return (f"Chữ ký số của {self.signer} đúng nhưng chứng thư không thuộc cơ quan tin cậy. / "
                f"{self.signer}'s signature is intact but the certificate is not trusted.")

    def as_dict(self) -> dict:
        return {"field": self.field, "signer": self.signer,
                "signedAt": self.signed_at.isoformat() if self.signed_at else None, "intact": self.intact,
                "valid": self.valid, "trusted": self.trusted, "unaltered": self.unaltered, "ok": self.ok,
                "message": self.describe()}


def _common_name(cert: x509.Certificate) -> str:
    names = dict(cert.subject.native)
    return names.get("common_name") or cert.subject.human_friendly


def verify_pdf(data: bytes, trust_roots: Iterable[x509.Certificate] = ()) -> list[SignatureReport]:
    """Every signature of the PDF checked; an empty list when it is not signed."""
    context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
    reports = []
    for signature in _reader(data).embedded_signatures:
        status = validate_pdf_signature(signature, context)
        # Covering the whole file, or followed only by what pyHanko's diff analysis accepts as a
        # later signature or form filling (a countersignature keeps the first one valid).
        unaltered = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
        if not unaltered and status.modification_level is not None:
            unaltered = bool(status.docmdp_ok) and status.modification_level.name in (
                "NONE", "LTA_UPDATES", "FORM_FILLING")
        reports.append(SignatureReport(field=signature.field_name, signer=_common_name(status.signing_cert),
                                       signed_at=status.signer_reported_dt, intact=bool(status.intact),
                                       valid=bool(status.valid), trusted=bool(status.trusted),
                                       unaltered=unaltered))
    return reports


def configured_trust_roots(environ: Mapping[str, str] | None = None) -> list[x509.Certificate]:
    """The Office's own certificate as the trust root, when a PKCS#12 file is configured."""
    config = SigningConfig.from_env(environ)
    if config.p12_path is None or not config.p12_path.is_file():
        return []
    return [load_p12_signer(config).signing_cert]

"""Outgoing mail over TLS (KEFU_SMTP_URL ``smtp://…?starttls`` and ``smtps://…``): the reply
reaches a real SMTP server that speaks STARTTLS or implicit TLS, with a certificate the client
checks (a throw-away CA made for the test, trusted through ``SSL_CERT_FILE``)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.mail import EmailMessage, get_connection

from kefu.channels.email.listener import InboundSmtpController
from kefu.config import smtp_settings


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    moment = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - dt.timedelta(minutes=5))
        .not_valid_after(moment + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


class _Capture:
    def __init__(self) -> None:
        self.mails: list[tuple[bool, bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        # STARTTLS sets session.ssl; implicit TLS shows in the transport's SSL object.
        encrypted = session.ssl is not None or (
            server.transport.get_extra_info("ssl_object") is not None
        )
        self.mails.append((encrypted, envelope.original_content))
        return "250 OK"


@pytest.fixture
def certificate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    cert_path, key_path = _certificate(tmp_path)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_path))  # the client trusts the test's CA only
    return cert_path, key_path


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, _Capture]]:
    handler = _Capture()
    controller = InboundSmtpController(
        handler,
        hostname="127.0.0.1",
        port=0,
        server_hostname="smtp.test",
        tls_context=_server_context(certificate),
        require_starttls=True,  # plain text is refused: the mail must go over TLS
    )
    controller.start()
    yield int(controller.port), handler
    controller.stop()


@pytest.fixture
def ssl_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, _Capture]]:
    handler = _Capture()
    controller = InboundSmtpController(
        handler,
        hostname="127.0.0.1",
        port=0,
        server_hostname="smtp.test",
        ssl_context=_server_context(certificate),
    )
    controller.start()
    yield int(controller.port), handler
    controller.stop()


def _send_as_configured(url: str) -> None:
    values = smtp_settings(url, None)
    connection = get_connection(
        str(values["EMAIL_BACKEND"]),
        host=values["EMAIL_HOST"],
        port=values["EMAIL_PORT"],
        use_tls=values["EMAIL_USE_TLS"],
        use_ssl=values["EMAIL_USE_SSL"],
        timeout=10,
    )
    EmailMessage(
        subject="Re: 洗衣机漏水 [20261203-000001]",
        body="尊敬的王芳：您好！师傅明天上门。",
        from_email="service@kefu.test",
        to=["wangfang@example.com"],
        connection=connection,
    ).send(fail_silently=False)


def _received(handler: _Capture) -> tuple[bool, str]:
    assert len(handler.mails) == 1
    encrypted, raw = handler.mails[0]
    message = message_from_bytes(raw, policy=policy.default)
    return encrypted, str(message["Subject"])


def test_starttls_url_upgrades_the_connection_before_sending(starttls_server):
    port, handler = starttls_server
    _send_as_configured(f"smtp://127.0.0.1:{port}?starttls")
    encrypted, subject = _received(handler)
    assert encrypted and subject == "Re: 洗衣机漏水 [20261203-000001]"


def test_plain_url_is_refused_by_a_server_that_requires_tls(starttls_server):
    import smtplib

    port, handler = starttls_server
    with pytest.raises(smtplib.SMTPException):
        _send_as_configured(f"smtp://127.0.0.1:{port}")
    assert handler.mails == []


def test_smtps_url_speaks_tls_from_the_first_byte(ssl_server):
    port, handler = ssl_server
    _send_as_configured(f"smtps://127.0.0.1:{port}")
    encrypted, _subject = _received(handler)
    assert encrypted


def test_an_untrusted_certificate_is_refused(ssl_server, monkeypatch, tmp_path):
    (tmp_path / "other").mkdir()
    other, _key = _certificate(tmp_path / "other")
    monkeypatch.setenv("SSL_CERT_FILE", str(other))  # trust some other CA only
    port, handler = ssl_server
    with pytest.raises(ssl.SSLError):
        _send_as_configured(f"smtps://127.0.0.1:{port}")
    assert handler.mails == []

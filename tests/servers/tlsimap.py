"""A tiny IMAP-over-TLS server with made-up certificates, to test certificate checking.

It speaks just enough IMAP (greeting, CAPABILITY, STARTTLS, LOGIN refused, LOGOUT) for a
client to reach the point where it would send its password, and records every line it
receives, so a test can prove that no LOGIN was sent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

NOW = dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Pem:
    """A certificate and its key, written to files."""

    cert: Path
    key: Path


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _write(folder: Path, stem: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> Pem:
    cert_path, key_path = folder / f"{stem}.crt", folder / f"{stem}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Pem(cert_path, key_path)


class CertFactory:
    """A test certificate authority that issues good and bad server certificates."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name("bounceback test CA"))
            .issuer_name(_name("bounceback test CA"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(NOW - dt.timedelta(days=30))
            .not_valid_after(NOW + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=True,
                    crl_sign=True, encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )  # fmt: skip
        self.ca_file = _write(folder, "ca", self.cert, self.key).cert

    def issue(
        self,
        stem: str,
        host: str = "localhost",
        *,
        expired: bool = False,
        self_signed: bool = False,
    ) -> Pem:
        """A server certificate for host, signed by this CA (or by itself)."""
        key = ec.generate_private_key(ec.SECP256R1())
        start, end = (
            (NOW - dt.timedelta(days=60), NOW - dt.timedelta(days=1))
            if expired
            else (NOW - dt.timedelta(days=1), NOW + dt.timedelta(days=10))
        )
        issuer = _name(host) if self_signed else self.cert.subject
        cert = (
            x509.CertificateBuilder()
            .subject_name(_name(host))
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key if self_signed else self.key, hashes.SHA256())
        )
        return _write(self.folder, stem, cert, key)


class TlsImapServer:
    """IMAP on a loopback port with implicit TLS ("ssl") or STARTTLS."""

    def __init__(
        self, pem: Pem, *, starttls: bool = False, max_version: ssl.TLSVersion | None = None
    ) -> None:
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(pem.cert, pem.key)
        if max_version is not None:
            self.context.set_ciphers("ALL:@SECLEVEL=0")
            self.context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
            self.context.maximum_version = max_version
        self.starttls = starttls
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.lines: list[bytes] = []
        self.handshake_errors: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                with contextlib.closing(conn):
                    self._session(conn)

    def _session(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        stream: socket.socket = conn
        if not self.starttls:
            stream = self._wrap(conn)
            if stream is conn:
                return
        capability = b"IMAP4rev1 STARTTLS" if self.starttls else b"IMAP4rev1 AUTH=PLAIN"
        stream.sendall(b"* OK [CAPABILITY " + capability + b"] test server ready\r\n")
        reader = stream.makefile("rb")
        while line := reader.readline():
            self.lines.append(line)
            tag, _, rest = line.partition(b" ")
            command = rest.split(b" ", 1)[0].strip().upper()
            if command == b"CAPABILITY":
                stream.sendall(b"* CAPABILITY " + capability + b"\r\n" + tag + b" OK done\r\n")
            elif command == b"STARTTLS":
                stream.sendall(tag + b" OK begin TLS now\r\n")
                wrapped = self._wrap(conn)
                if wrapped is conn:
                    return
                stream, reader = wrapped, wrapped.makefile("rb")
                capability = b"IMAP4rev1 AUTH=PLAIN"
            elif command == b"LOGIN":
                stream.sendall(tag + b" NO [AUTHENTICATIONFAILED] no such user here\r\n")
            elif command == b"LOGOUT":
                stream.sendall(b"* BYE bye\r\n" + tag + b" OK bye\r\n")
                return
            else:
                stream.sendall(tag + b" BAD not in this test server\r\n")

    def _wrap(self, conn: socket.socket) -> socket.socket:
        try:
            return self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as exc:
            self.handshake_errors.append(str(exc))
            return conn

    @property
    def logins(self) -> list[bytes]:
        """Every LOGIN / AUTHENTICATE line received."""
        return [
            line for line in self.lines if b" LOGIN " in line.upper() or b"AUTHENTICATE" in line
        ]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.sock.close()

"""The ``--cluster`` address: its form, whether it leaves this machine, and its TLS files.

A Dask scheduler runs the pickled functions its clients send on its workers, so whoever
can reach a scheduler (or a worker) runs code on those machines. ``tcp://`` neither
encrypts nor authenticates, so it is safe on 127.0.0.1 only; across machines the cluster
speaks ``tls://`` with certificates signed by a CA of the cluster's own, which every end
checks (Dask's :class:`distributed.security.Security`: a client without such a certificate
is refused). The certificate files come from Dask's own configuration, the same settings
``dask scheduler`` and ``dask worker`` read: the environment variables of
:data:`TLS_VARIABLES` or a YAML file in ``~/.config/dask/``.

Imports nothing of Dask until :func:`tls_security` prepares a connection.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from explainer.core.errors import ClusterError

__all__ = ["TLS_VARIABLES", "ClusterAddress", "exposure_warning", "parse_address", "tls_security"]

SCHEMES = ("tcp", "tls")
# Security's attribute -> the environment variable of Dask's config that sets it (dask reads
# DASK_A__B__C_D as a.b.c-d): one set of names for the client, the scheduler and the workers
TLS_VARIABLES = {
    "tls_ca_file": "DASK_DISTRIBUTED__COMM__TLS__CA_FILE",
    "tls_client_cert": "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT",
    "tls_client_key": "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY",
}
_WHAT = {
    "tls_ca_file": "the cluster's CA certificate",
    "tls_client_cert": "this client's certificate",
    "tls_client_key": "this client's private key",
}
_SECURITY_HELP = "README: On more machines"


@dataclass(frozen=True)
class ClusterAddress:
    """A scheduler's address: ``scheme://host:port``, the scheme ``tcp`` or ``tls``.

    Examples
    --------
    >>> ClusterAddress("tls", "10.0.0.5", 8786).url, ClusterAddress("tcp", "::1", 1).url
    ('tls://10.0.0.5:8786', 'tcp://[::1]:1')
    """

    scheme: str
    host: str
    port: int

    @property
    def url(self) -> str:
        """The address as Dask takes it."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"

    @property
    def loopback(self) -> bool:
        """Whether the address is this machine's loopback: ``localhost``, 127.0.0.0/8 or ::1.

        Other names count as other machines: they are not resolved here (a name that
        resolves to 127.0.0.1 gets a warning it did not need, never the other way round).

        Examples
        --------
        >>> [ClusterAddress("tcp", h, 1).loopback for h in ("127.0.0.2", "localhost", "10.0.0.5")]
        [True, True, False]
        """
        if self.host.lower() == "localhost":
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False


def parse_address(address: str) -> ClusterAddress:
    """``tcp://HOST:PORT``, ``tls://HOST:PORT`` or ``HOST:PORT`` (tcp); anything else is an
    error in one line.

    Examples
    --------
    >>> parse_address("tls://10.0.0.5:8786"), parse_address("localhost:8786").url
    (ClusterAddress(scheme='tls', host='10.0.0.5', port=8786), 'tcp://localhost:8786')
    """
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or not port:
        raise ClusterError(
            f"--cluster {address!r}: give the Dask scheduler's address as tcp://HOST:PORT "
            "(this machine) or tls://HOST:PORT"
        )
    return ClusterAddress(parts.scheme, parts.hostname, port)


def exposure_warning(address: str) -> str | None:
    """The one-line warning for a plain ``tcp://`` scheduler on another machine, or None.

    Examples
    --------
    >>> exposure_warning("tcp://127.0.0.1:8786") is None, exposure_warning("tls://10.0.0.5:1")
    (True, None)
    >>> exposure_warning("tcp://10.0.0.5:8786")[:58]
    'tcp://10.0.0.5:8786 is another machine over plain tcp:// ('
    """
    try:
        parsed = parse_address(address)
    except ClusterError:
        return None  # the render says what is wrong with it, in one line
    if parsed.scheme != "tcp" or parsed.loopback:
        return None
    return (
        f"{parsed.url} is another machine over plain tcp:// (no encryption, no "
        "authentication): anyone who can reach that scheduler or its workers runs code on "
        f"them; use tls:// ({_SECURITY_HELP})"
    )


def tls_security(address: ClusterAddress) -> Any:
    """Dask's ``Security`` for a ``tls://`` address, from Dask's configuration; None for tcp.

    Raises
    ------
    ClusterError
        No CA or client certificate is configured, or a configured file does not exist; or
        the address is ``tcp://`` and Dask's configuration requires encryption.
    """
    import dask.config

    if address.scheme != "tls":
        if dask.config.get("distributed.comm.require-encryption", False):
            raise ClusterError(
                f"--cluster {address.url}: Dask's configuration requires encryption "
                "(DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION); give the scheduler's "
                f"tls://{address.url.removeprefix('tcp://')} address"
            )
        return None
    from distributed.security import Security

    # Dask's configuration: distributed.comm.tls.*, from the environment or ~/.config/dask
    security = Security()  # type: ignore[no-untyped-call]
    for field in ("tls_ca_file", "tls_client_cert"):
        if not getattr(security, field):
            names = ", ".join(TLS_VARIABLES.values())
            raise ClusterError(
                f"--cluster {address.url}: no TLS certificates are configured for this "
                f"machine; set {names} to the cluster's CA and this client's PEM files "
                f"({_SECURITY_HELP})"
            )
    for field, variable in TLS_VARIABLES.items():
        value = getattr(security, field)
        if value and "\n" not in value and not Path(value).is_file():  # a path, not PEM text
            raise ClusterError(
                f"TLS file {value} ({variable}) does not exist; set it to the PEM file of "
                f"{_WHAT[field]}"
            )
    return security

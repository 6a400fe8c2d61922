"""Which addresses the link checker may contact, enforced where the socket connects.

A link in an article is text anyone could have written, so checking it must
never let it reach inside the network medreview runs on: private networks,
this machine (loopback), link-local addresses, multicast, reserved and
unspecified addresses, and above all the cloud metadata services
(169.254.169.254, fd00:ec2::254, ...) that hand out credentials. Those are
refused unless `[links] allow_private` says otherwise (`true`, or a list of
networks such as ["127.0.0.0/8"] for a test server). Metadata addresses are
refused even then: no article links to them.

Where the check happens (the DNS-rebinding gap, closed):
checking a name and then letting the HTTP library resolve it again would
leave a window in which the name could start pointing somewhere private (DNS
rebinding). So the check is made where the connection is opened: `SafeAdapter`
(adapter.py)
gives urllib3 connection classes whose `_new_conn` resolves the host once,
vets every address it got, and connects only to those vetted addresses. There
is no second lookup to race. It applies to every request, so to every hop of
a redirect chain too. A kept-alive connection is reused only for the same
host and port, and it was vetted when it was opened. HTTPS still verifies the
certificate against the host name (TLS wraps the vetted socket).

`refusal_for_host` answers early, without any lookup, for IP literals and
names that are local by definition (localhost, *.localhost, *.internal), so
such a link is refused before any connection is even tried.

The session ignores proxy variables and .netrc (`trust_env = False`): a proxy
would resolve names itself, out of our sight, and .netrc would hand
credentials to whatever host an article names.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Iterable


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# Cloud metadata services: refused whatever allow_private says.
METADATA = frozenset(ipaddress.ip_address(a) for a in (
    "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
    "169.254.170.2",    # AWS ECS task metadata
    "fd00:ec2::254",    # AWS over IPv6
    "100.100.100.200",  # Alibaba Cloud
))
METADATA_NAMES = frozenset({"metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal"})

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class AddressRefused(OSError):
    """The host is, or resolves to, an address the policy does not allow."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"{host}: {reason}")
        self.host = host
        self.reason = reason


def _embedded_v4(ip: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, NAT64, 6to4 or Teredo IPv6 address."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def describe(ip: Address) -> str | None:
    """Why an address is not a public one ("private network address 10.0.0.1"), or None."""
    inner = _embedded_v4(ip)
    if inner is not None:
        why = describe(inner)
        return f"{why} (inside {ip})" if why else None
    if ip in METADATA:
        return f"cloud metadata address {ip}"
    if ip.is_unspecified:
        return f"unspecified address {ip}"
    if ip.is_loopback:
        return f"loopback address {ip} (this machine)"
    if ip.is_link_local:
        return f"link-local address {ip}"
    if ip.is_multicast:
        return f"multicast address {ip}"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return f"shared carrier address {ip}"
    if ip.is_private:
        return f"private network address {ip}"
    if ip.is_reserved or not ip.is_global:
        return f"reserved address {ip}"
    return None


@dataclass(frozen=True, slots=True)
class AddressPolicy:
    allow_private: bool = False
    allow_networks: tuple[Network, ...] = ()

    def refusal(self, ip: Address) -> str | None:
        """Why this address may not be contacted, or None when it may."""
        if ip.version == 6 and ip.scope_id:
            ip = ipaddress.ip_address(str(ip).split("%", 1)[0])
        why = describe(ip)
        if why is None:
            return None
        inner = _embedded_v4(ip) or ip
        if inner in METADATA or ip in METADATA:
            return why
        if self.allow_private:
            return None
        if any(ip in net or inner in net for net in self.allow_networks if net.version in (ip.version, inner.version)):
            return None
        return why

    def refusal_for_host(self, host: str) -> str | None:
        """An answer without any DNS lookup: IP literals and names that are local by definition."""
        host = host.strip("[]").rstrip(".").lower()
        try:
            ip = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            ip = None
        if ip is not None:
            return self.refusal(ip)
        if host in METADATA_NAMES:
            return f"cloud metadata host {host}"
        if self.allow_private or self.allow_networks:
            return None  # the addresses it resolves to are vetted when connecting
        if host == "localhost" or host.endswith((".localhost", ".local", ".internal", ".localdomain")):
            return f"local host name {host}"
        return None

    def vetted(self, host: str, infos: Iterable[tuple]) -> list[tuple]:
        """getaddrinfo results, all allowed; AddressRefused when any of them is not.

        A public name that also resolves to a private address is refused whole:
        legitimate sites do not publish such records, and rebinding attacks do.
        """
        infos = list(infos)
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            why = self.refusal(ip)
            if why:
                raise AddressRefused(host, f"{host}, which resolves to {why}")
        return infos

    def connect(self, host: str, port: int, timeout, source_address=None, socket_options=None) -> socket.socket:
        """Resolve once, vet every address, connect only to a vetted one."""
        host = host.strip("[]")
        early = self.refusal_for_host(host)
        if early:
            raise AddressRefused(host, early)
        infos = self.vetted(host, socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
        err: OSError | None = None
        for family, socktype, proto, _canon, sockaddr in infos:
            sock = None
            try:
                sock = socket.socket(family, socktype, proto)
                for opt in socket_options or ():
                    sock.setsockopt(*opt)
                if timeout is not None:
                    sock.settimeout(timeout)
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as e:
                err = e
                if sock is not None:
                    sock.close()
        raise err or OSError(f"{host}: no address to connect to")

"""The requests adapter that opens every connection through an AddressPolicy (see safety.py)."""

from __future__ import annotations

import socket

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from .safety import AddressPolicy, AddressRefused


class _SafeConnectionMixin:
    """urllib3 connection whose socket goes through AddressPolicy.connect."""

    policy: AddressPolicy = AddressPolicy()

    def _new_conn(self) -> socket.socket:  # urllib3 2.x: HTTPConnection._new_conn
        timeout = self.timeout if isinstance(self.timeout, (int, float)) else None
        try:
            return self.policy.connect(self._dns_host, self.port, timeout,
                                       source_address=self.source_address, socket_options=self.socket_options)
        except AddressRefused as e:
            raise NewConnectionError(self, f"Refused to connect: {e}") from e
        except socket.gaierror as e:
            raise NameResolutionError(self.host, self, e) from e
        except socket.timeout as e:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out. (connect timeout={self.timeout})") from e
        except OSError as e:
            raise NewConnectionError(self, f"Failed to establish a new connection: {e}") from e


class SafeAdapter(HTTPAdapter):
    """An HTTPAdapter whose every connection is opened through an AddressPolicy."""

    def __init__(self, policy: AddressPolicy, **kwargs) -> None:
        self._policy = policy
        http_conn = type("SafeHTTPConnection", (_SafeConnectionMixin, HTTPConnection), {"policy": policy})
        https_conn = type("SafeHTTPSConnection", (_SafeConnectionMixin, HTTPSConnection), {"policy": policy})
        self._pool_classes = {
            "http": type("SafeHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("SafeHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self._pool_classes)

    def proxy_manager_for(self, proxy, **proxy_kwargs):  # a proxy would resolve names out of our sight
        raise AddressRefused(str(proxy), "medreview does not check links through a proxy")

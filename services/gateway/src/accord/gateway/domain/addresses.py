"""Who is calling: the peer, unless the peer is one of our own proxies, in which case X-Forwarded-For says.

X-Forwarded-For is a list each proxy appends its peer to. Only the entries added by proxies we trust can be believed,
and they are at the right: walk from the right, skipping our proxies; the first address that is not one of them is
the client. Anything further left was written by the client and proves nothing."""

from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


def _trusted(address: Address, trusted: Sequence[Network]) -> bool:
    return any(address in network for network in trusted)


def client_address(peer: Address, forwarded_for: str | None, trusted: Sequence[Network]) -> Address:
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    client = peer
    for entry in reversed(forwarded_for.split(",")):
        try:
            hop = ip_address(entry.strip())
        except ValueError:
            return client  # not an address: the chain cannot be followed further than the last good hop
        client = hop
        if not _trusted(hop, trusted):
            return hop
    return client  # every hop was one of ours

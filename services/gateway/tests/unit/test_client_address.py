from ipaddress import ip_address, ip_network

from accord.gateway.domain.addresses import client_address

PROXIES = [ip_network("10.244.0.0/16"), ip_network("fd00::/8")]


def test_a_peer_that_is_not_our_proxy_is_the_client_whatever_it_forwards() -> None:
    assert client_address(ip_address("127.0.0.1"), "198.51.100.7", PROXIES) == ip_address("127.0.0.1")
    assert client_address(ip_address("127.0.0.1"), "198.51.100.7", []) == ip_address("127.0.0.1")


def test_behind_our_proxies_the_client_is_the_first_address_from_the_right_that_is_not_ours() -> None:
    chain = "6.6.6.6, 198.51.100.7, 10.244.3.4"  # the client wrote 6.6.6.6 itself; the next two are our proxies'
    assert client_address(ip_address("10.244.1.2"), chain, PROXIES) == ip_address("198.51.100.7")


def test_a_chain_of_only_our_proxies_or_with_garbage_stops_at_the_last_believable_hop() -> None:
    assert client_address(ip_address("10.244.1.2"), "10.244.9.9", PROXIES) == ip_address("10.244.9.9")
    assert client_address(ip_address("10.244.1.2"), "not-an-address, 10.244.9.9", PROXIES) == ip_address("10.244.9.9")
    assert client_address(ip_address("fd00::1"), "2001:db8::5", PROXIES) == ip_address("2001:db8::5")

"""IP operators: IpAddress (NotIpAddress in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_IPAddress.
IPv4 and IPv6 CIDR ranges; a bare address is a single host (the page says `/32`; for IPv6
that is read as `/128`, spec §10 item 7). Host bits after the prefix are ignored. An
address never falls in a network of the other IP version. No variables.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def parse_network(text: str) -> Network | None:
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def in_network(address: Address, network: Network) -> bool:
    return address.version == network.version and address in network


def compile_ip_address(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    networks = parse_policy_values(values, parse_network, "an IP address or CIDR range")
    return ParsedComparison(parse_address, networks, in_network)

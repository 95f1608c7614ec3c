"""IP operators: IpAddress (NotIpAddress in the block).

Source: IAM-UG/reference_policies_elements_condition_operators.html#Conditions_IPAddress.
IPv4 and IPv6 CIDR ranges; a bare address is a single host (the page says `/32`; for IPv6
that is read as `/128`, spec §10 item 7). Host bits after the prefix are ignored. An
address never falls in a network of the other IP version. No variables.
"""

from __future__ import annotations

from policy_engine.engine.conditions.base import Matcher, ParsedComparison, parse_policy_values
from policy_engine.model.values import (
    NETWORK_EXPECTED,
    Address,
    Network,
    parse_address,
    parse_network,
)


def in_network(address: Address, network: Network) -> bool:
    return address.version == network.version and address in network


def compile_ip_address(values: tuple[str, ...], variables_enabled: bool) -> Matcher:
    networks = parse_policy_values(values, parse_network, NETWORK_EXPECTED)
    return ParsedComparison(parse_address, networks, in_network)

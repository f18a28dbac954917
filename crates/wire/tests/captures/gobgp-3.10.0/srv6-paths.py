#!/usr/bin/env python3
"""Adds SRv6 L3VPN routes (VPNv4 / VPNv6 with the BGP Prefix-SID's SRv6 L3
Service TLV, RFC 9252) to gobgpd through its gRPC API, which GoBGP's CLI
cannot. Needs grpcio and the Python modules protoc makes of GoBGP
v3.10.0's api/gobgp.proto, attribute.proto and capability.proto:

    pip install grpcio grpcio-tools
    python -m grpc_tools.protoc -I api --python_out=DIR --grpc_python_out=DIR \
        api/gobgp.proto api/attribute.proto api/capability.proto
    PYTHONPATH=DIR srv6-paths.py API_PORT
"""
import sys
import ipaddress
import grpc
from google.protobuf.any_pb2 import Any
import attribute_pb2 as a
import gobgp_pb2 as g
import gobgp_pb2_grpc as gg


def pack(m):
    x = Any()
    x.Pack(m)
    return x


def srv6(sid, behavior, block, node, func, arg, tlen, toff):
    structure = a.SRv6StructureSubSubTLV(
        locator_block_length=block, locator_node_length=node,
        function_length=func, argument_length=arg,
        transposition_length=tlen, transposition_offset=toff)
    info = a.SRv6InformationSubTLV(
        sid=ipaddress.IPv6Address(sid).packed, flags=a.SRv6SIDFlags(),
        endpoint_behavior=behavior,
        sub_sub_tlvs={1: a.SRv6TLV(tlv=[pack(structure)])})
    service = a.SRv6L3ServiceTLV(sub_tlvs={1: a.SRv6TLV(tlv=[pack(info)])})
    return pack(a.PrefixSID(tlvs=[pack(service)]))


def vpn_path(afi, prefix, plen, label, rd, rt, nexthop, prefix_sid):
    family = g.Family(afi=afi, safi=g.Family.SAFI_MPLS_VPN)
    nlri = pack(a.LabeledVPNIPAddressPrefix(
        labels=[label], rd=pack(a.RouteDistinguisherTwoOctetASN(admin=rd[0], assigned=rd[1])),
        prefix_len=plen, prefix=prefix))
    pattrs = [
        pack(a.OriginAttribute(origin=0)),
        pack(a.MpReachNLRIAttribute(family=family, next_hops=[nexthop], nlris=[nlri])),
        pack(a.ExtendedCommunitiesAttribute(communities=[pack(a.TwoOctetAsSpecificExtended(
            is_transitive=True, sub_type=0x02, asn=rt[0], local_admin=rt[1]))])),
        prefix_sid,
    ]
    return g.Path(nlri=nlri, pattrs=pattrs, family=family)


def main():
    stub = gg.GobgpApiStub(grpc.insecure_channel("127.0.0.1:%s" % sys.argv[1]))
    paths = [
        # End.DT4 (19), no transposition, label 3
        vpn_path(g.Family.AFI_IP, "10.90.0.0", 24, 3, (65001, 90), (65001, 90), "2001:db8::90",
                 srv6("2001:db8:90:1::", 19, 40, 24, 16, 0, 0, 0)),
        # End.DT6 (18), the function transposed into the label (offset 64, 16 bits)
        vpn_path(g.Family.AFI_IP6, "2001:db8:91::", 48, 0x101, (65001, 91), (65001, 91), "2001:db8::91",
                 srv6("2001:db8:91::", 18, 40, 24, 16, 0, 16, 64)),
        # End.DT46 (20)
        vpn_path(g.Family.AFI_IP6, "2001:db8:92::", 64, 3, (65001, 92), (65001, 92), "2001:db8::92",
                 srv6("2001:db8:92:2::", 20, 32, 32, 16, 0, 0, 0)),
    ]
    for p in paths:
        stub.AddPath(g.AddPathRequest(table_type=g.GLOBAL, path=p))


if __name__ == "__main__":
    main()

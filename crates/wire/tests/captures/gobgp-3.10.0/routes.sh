#!/bin/sh
# The routes gobgpd (GoBGP 3.10.0) announces to the recorder, in order;
# `gobgp` talks to it on 127.0.0.1:${API_PORT:-50713}.
G="gobgp -p ${API_PORT:-50713}"
set -e
# VRFs: their import route targets become RTC routes (RFC 4684)
$G vrf add vrf1 rd 65001:100 rt both 65001:100
$G vrf add vrf2 rd 10.0.0.1:200 rt import 65001:200 export 65001:201
sleep 1
# VPNv4 / VPNv6 (RFC 4364, RFC 4659)
$G vrf vrf1 rib add 10.10.0.0/24
$G vrf vrf1 rib -a ipv6 add 2001:db8:10::/48
$G global rib -a vpnv4 add 10.1.0.0/24 label 100 rd 65001:1 rt 65001:1 nexthop 10.0.0.1 med 10 local-pref 200 community 65001:7
$G global rib -a vpnv6 add 2001:db8:1::/48 label 200 rd 10.0.0.1:2 rt 65001:2 nexthop 2001:db8::1
sleep 1
# labelled unicast (RFC 8277)
$G global rib -a ipv4-mpls add 10.2.0.0/24 300 nexthop 10.0.0.1
$G global rib -a ipv4-mpls add 10.2.1.0/24 301/302
$G global rib -a ipv6-mpls add 2001:db8:2::/48 400 nexthop 2001:db8::1
sleep 1
# EVPN route types 1 to 5 (RFC 7432, RFC 9136)
$G global rib -a evpn add a-d esi MAC aa:bb:cc:dd:ee:10 100 etag 100 label 1000 rd 65001:10 rt 65001:10 encap vxlan esi-label 2000
$G global rib -a evpn add macadv aa:bb:cc:dd:ee:04 10.20.0.4 esi 0 etag 0 label 10 rd 65001:10 rt 65001:10 encap vxlan router-mac aa:bb:cc:00:00:01
$G global rib -a evpn add macadv aa:bb:cc:dd:ee:06 2001:db8:20::6 etag 5 label 20 rd 10.0.0.1:11 rt 65001:11 default-gateway
$G global rib -a evpn add multicast 10.0.0.1 etag 100 rd 65001:10 rt 65001:10 encap vxlan pmsi ingress-repl 10100 10.0.0.1
$G global rib -a evpn add esi 10.0.0.1 esi LACP aa:bb:cc:dd:ee:11 1 rd 65001:10 rt 65001:10
$G global rib -a evpn add prefix 10.30.0.0/24 gw 10.0.0.254 etag 0 label 3000 rd 65001:10 rt 65001:10 encap vxlan router-mac aa:bb:cc:00:00:02
$G global rib -a evpn add prefix 2001:db8:30::/64 etag 0 label 3001 rd 65001:10 rt 65001:10
sleep 1
# FlowSpec IPv4 / IPv6 and their VPN forms (RFC 8955, RFC 8956)
$G global rib -a ipv4-flowspec add match destination 10.40.0.0/24 source 10.41.0.0/16 protocol tcp destination-port '==80' source-port '>1024&<=65535' then rate-limit 1000
$G global rib -a ipv4-flowspec add match destination 10.42.0.0/24 protocol '==tcp' '==udp' port '>=1000&<=2000' tcp-flags S '!=A' then discard
$G global rib -a ipv4-flowspec add match destination 10.43.0.0/24 protocol icmp icmp-type '==8' icmp-code '==0' packet-length '<=1500' dscp '==46' fragment is-fragment then redirect 65001:300
$G global rib -a ipv4-flowspec add match source 10.44.0.0/24 fragment '=dont-fragment' first-fragment then mark 10 action sample-terminal
$G global rib -a ipv6-flowspec add match destination 2001:db8:40::/48 source 2001:db8:41::/48 protocol tcp destination-port '==443' then rate-limit 0
$G global rib -a ipv6-flowspec add match destination 2001:db8:42::/64 16 protocol udp packet-length '>100' then redirect 65001:400
$G global rib -a ipv4-l3vpn-flowspec add rd 65001:50 match destination 10.50.0.0/24 protocol tcp then discard rt 65001:50
$G global rib -a ipv6-l3vpn-flowspec add rd 65001:51 match destination 2001:db8:50::/48 then rate-limit 500 rt 65001:51
sleep 1
# BGP-MUP (draft-ietf-bess-mup-safi, SAFI 85); ISD and DSD carry the BGP
# Prefix-SID's SRv6 L3 Service TLV (RFC 9252)
$G global rib -a ipv4-mup add isd 10.60.0.0/24 rd 65001:60 prefix 2001:db8:60::/64 locator-node-length 24 function-length 16 behavior ENDM_GTP4E rt 65001:60 nexthop 2001:db8::60
$G global rib -a ipv4-mup add dsd 10.0.0.61 rd 65001:61 prefix 2001:db8:61::/64 locator-node-length 24 function-length 16 behavior ENDM_GTP4E rt 65001:61 mup 10:10 nexthop 2001:db8::61
$G global rib -a ipv4-mup add t1st 10.62.0.0/24 rd 65001:62 rt 65001:62 teid 12345 qfi 9 endpoint 10.0.0.62
$G global rib -a ipv4-mup add t2st 10.0.0.63 rd 65001:63 rt 65001:63 teid 12346 mup 10:10
$G global rib -a ipv6-mup add isd 2001:db8:64::/64 rd 65001:64 prefix 2001:db8:65::/64 locator-node-length 24 function-length 16 behavior ENDM_GTP6E rt 65001:64
$G global rib -a ipv6-mup add dsd 2001:db8::66 rd 65001:66 prefix 2001:db8:66::/64 locator-node-length 24 function-length 16 behavior END_DT6 rt 65001:66 mup 10:10
$G global rib -a ipv6-mup add t1st 2001:db8:67::/64 rd 65001:67 rt 65001:67 teid 12347 qfi 9 endpoint 2001:db8::67
$G global rib -a ipv6-mup add t2st 2001:db8::68 rd 65001:68 rt 65001:68 teid 12348 mup 10:10
sleep 1
# withdrawals
$G global rib -a vpnv4 del 10.1.0.0/24 label 100 rd 65001:1
$G global rib -a ipv4-mpls del 10.2.0.0/24 300
$G global rib -a evpn del prefix 10.30.0.0/24 gw 10.0.0.254 etag 0 label 3000 rd 65001:10
$G global rib -a ipv4-mup del t1st 10.62.0.0/24 rd 65001:62 rt 65001:62 teid 12345 qfi 9 endpoint 10.0.0.62
$G global rib -a ipv6-flowspec del match destination 2001:db8:40::/48 source 2001:db8:41::/48 protocol tcp destination-port '==443' then rate-limit 0
sleep 2

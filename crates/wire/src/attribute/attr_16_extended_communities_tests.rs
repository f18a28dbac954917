//! Extended communities against ExaBGP's bytes and renderings (the
//! conformance suite's forms).

use super::*;

fn hex(c: ExtendedCommunity) -> String {
    format!("{:016X}", c.value())
}

/// Bytes from the conformance suite's conf-extended-attributes.msg; the
/// 4-byte-ASN forms there carry ExaBGP's type 0x01 (reference layout),
/// RFC 5668's 0x02 by default.
#[test]
fn config_forms_match_exabgp_bytes() {
    let cases = [
        ("origin:100:1000", "00030064000003E8"),
        ("target:200:2000", "000200C8000007D0"),
        ("origin:300:73000", "0003012C00011D28"),
        ("target:400:74000", "0002019000012110"),
        ("origin:70500:5000", "0103000113641388"),
        ("target:70600:6000", "0102000113C81770"),
        ("origin:7.7.7.7:7000", "0103070707071B58"),
        ("target:8.8.8.8:8000", "0102080808081F40"),
        ("origin:9000:9.9.9.9", "0003232809090909"),
        ("target:1000:10.10.10.10", "000203E80A0A0A0A"),
        ("origin4:71100:11000", "0103000115BC2AF8"),
        ("target4:71200:12000", "0102000116202EE0"),
        ("redirect:1400:84000", "8008057800014820"),
        ("redirect:1300:83000", "8008051400014438"),
        ("l2info:1:2:13398:30864", "800A010234567890"),
        ("72:0.0.0.1", "0002004800000001"),
    ];
    for (text, want) in cases {
        let c: ExtendedCommunity = text.parse().unwrap();
        assert_eq!(hex(c.reference_layout()), want, "{text}");
        let asn4 = text.contains("70") || text.contains("71");
        let rfc = if asn4 && !text.contains('.') {
            format!("02{}", &want[2..])
        } else {
            want.to_string()
        };
        assert_eq!(hex(c), rfc, "{text}");
    }
}

/// RFC 5668 section 2: `target:4200000001:7` is type 0x02 sub-type 0x02,
/// and renders back as written (as ExaBGP 5.0.15 renders those bytes).
#[test]
fn four_octet_as_specific_route_target_and_origin() {
    for (text, want) in [
        ("target:4200000001:7", "0202FA56EA010007"),
        ("origin:4200000001:7", "0203FA56EA010007"),
        ("target:65000L:7", "02020000FDE80007"),
    ] {
        let c: ExtendedCommunity = text.parse().unwrap();
        assert_eq!(hex(c), want, "{text}");
    }
    let c: ExtendedCommunity = "target:4200000001:7".parse().unwrap();
    assert_eq!(c.to_string(), "target:4200000001:7");
    assert_eq!(c.reference_layout().to_string(), "target:250.86.234.1:7");
    assert_eq!(
        "origin:4200000001:7"
            .parse::<ExtendedCommunity>()
            .unwrap()
            .to_string(),
        "origin:4200000001:7"
    );
}

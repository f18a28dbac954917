#!/usr/bin/env python3
"""BGP UPDATEs of the TCP port-179 streams of pcap files (classic pcap,
Ethernet / Linux cooked, IPv4 / IPv6), as JSON lines {"case", "hex"}: every
UPDATE, distinct by bytes, named PREFIX-N.

    pcap-updates.py PREFIX FILE.pcap... > cases.jsonl
"""
import json, struct, sys
def packets(path):
    d = open(path, 'rb').read()
    magic = d[:4]
    e = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    link = struct.unpack(e + 'I', d[20:24])[0]
    p = 24
    while p + 16 <= len(d):
        incl = struct.unpack(e + 'I', d[p + 8:p + 12])[0]
        yield link, d[p + 16:p + 16 + incl]
        p += 16 + incl
def tcp_payload(link, f):
    if link == 1:
        et, off = struct.unpack('!H', f[12:14])[0], 14
        while et == 0x8100:
            et, off = struct.unpack('!H', f[off + 2:off + 4])[0], off + 4
    elif link == 113:
        et, off = struct.unpack('!H', f[14:16])[0], 16
    elif link == 276:
        et, off = struct.unpack('!H', f[0:2])[0], 20
    else:
        return None
    if et == 0x0800:
        ihl = (f[off] & 15) * 4
        if f[off + 9] != 6: return None
        src, dst = f[off + 12:off + 16], f[off + 16:off + 20]
        tot = struct.unpack('!H', f[off + 2:off + 4])[0]
        t = off + ihl; end = off + tot
    elif et == 0x86dd:
        if f[off + 6] != 6: return None
        src, dst = f[off + 8:off + 24], f[off + 24:off + 40]
        t = off + 40; end = t + struct.unpack('!H', f[off + 4:off + 6])[0]
    else:
        return None
    sp, dp, seq = struct.unpack('!HHI', f[t:t + 8])
    doff = (f[t + 12] >> 4) * 4
    return (src, sp, dst, dp), seq, f[t + doff:end]
out = []
seen = set()
for path in sys.argv[2:]:
    streams = {}
    for link, f in packets(path):
        r = tcp_payload(link, f)
        if not r: continue
        key, seq, data = r
        if not data or 179 not in (key[1], key[3]): continue
        s = streams.setdefault(key, {})
        s.setdefault(seq, data)
    for key, segs in streams.items():
        buf = b''.join(segs[k] for k in sorted(segs))
        i = 0
        while i + 19 <= len(buf):
            if buf[i:i + 16] != b'\xff' * 16:
                j = buf.find(b'\xff' * 16, i + 1)
                if j < 0: break
                i = j; continue
            n = struct.unpack('!H', buf[i + 16:i + 18])[0]
            m = buf[i:i + n]
            if len(m) < n: break
            if m[18] == 2 and m not in seen:
                seen.add(m)
                out.append(m)
            i += n
prefix = sys.argv[1]
for k, m in enumerate(out, 1):
    print(json.dumps({"case": "%s-%d" % (prefix, k), "hex": m.hex().upper()}))

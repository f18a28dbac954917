#!/usr/bin/env python3
# The JSON consumer of the clients_json_consumer scenario, as people write
# them beside ExaBGP: every line the daemon writes is parsed as JSON (a line
# that is not counts as bad) and the peer's RIB is rebuilt from the `update`
# events in ExaBGP 5's layout. It keeps, next to itself, every line it read
# (events.jsonl) and the RIB it rebuilt (rib.out). Used unchanged by the
# ferrobgp test and by qa/clients/record-exabgp for ExaBGP 5.0.15.
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
rib, states, bad = set(), [], 0
events = open(os.path.join(here, 'events.jsonl'), 'a')
for line in sys.stdin:
    events.write(line)
    events.flush()
    try:
        ev = json.loads(line)
    except ValueError:
        bad += 1
        continue
    n = ev.get('neighbor', {})
    if ev.get('type') == 'state':
        states.append(n.get('state'))
    if ev.get('type') == 'update':
        u = n.get('message', {}).get('update', {})
        for fam, by_nh in u.get('announce', {}).items():
            for nh, nlris in by_nh.items():
                for x in nlris:
                    rib.add((fam, x['nlri']))
        for fam, nlris in u.get('withdraw', {}).items():
            for x in nlris:
                rib.discard((fam, x['nlri']))
    with open(os.path.join(here, 'rib.out.tmp'), 'w') as f:
        f.write('bad %d\nstates %s\n' % (bad, ' '.join(map(str, states))))
        for fam, p in sorted(rib):
            f.write('%s %s\n' % (fam, p))
    os.rename(os.path.join(here, 'rib.out.tmp'), os.path.join(here, 'rib.out'))

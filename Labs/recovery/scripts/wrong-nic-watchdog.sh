#!/bin/sh
# The seed's watchdog before anyone adapted it: its NIC name is the production one, hard-coded. On any other
# machine (this lab's interface is not enp1s0f0) "XDP off" fails, and nothing else it does brings SSH back.
PEER="${XDPLAB_PEER_IPV4:?}"
NIC="enp1s0f0"

failures=0
while true; do
    if ping -c 1 -W 0.5 "$PEER" >/dev/null 2>&1; then
        failures=0
    else
        failures=$((failures + 1))
    fi
    if [ "$failures" -ge 2 ]; then
        echo "$(date +%T.%N | cut -c1-12) $PEER unreachable twice: XDP off on $NIC"
        ip link set dev "$NIC" xdp off 2>&1
        failures=0
    fi
    sleep 1
done

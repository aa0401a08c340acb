#!/bin/sh
# A faster watchdog: probe the peer that SSH talks to every second (500 ms timeout) and take XDP off the
# interface after 2 failures in a row. No service stop, no network restart: the one step that brings SSH back.
PEER="${XDPLAB_PEER_IPV4:?}"
NIC="${XDPLAB_INTERFACE:?}"

failures=0
while true; do
    if ping -c 1 -W 0.5 "$PEER" >/dev/null 2>&1; then
        failures=0
    else
        failures=$((failures + 1))
    fi
    if [ "$failures" -ge 2 ]; then
        echo "$(date +%T.%N | cut -c1-12) $PEER unreachable twice: XDP off on $NIC"
        ip link set dev "$NIC" xdp off
        failures=0
    fi
    sleep 1
done

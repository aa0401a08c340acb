#!/bin/sh
# The team's watchdog as they wrote it after the third lockout: ping a remote address every 5 s; after 3 failures
# stop the service, take XDP off the NIC, restart networking, and check again. Only the hard-coded address and NIC
# name are replaced by the lab's (XDPLAB_PEER_IPV4, XDPLAB_INTERFACE); the logic and the timings are the seed's.
PEER="${XDPLAB_PEER_IPV4:?}"
NIC="${XDPLAB_INTERFACE:?}"
INTERVAL=5
MAX_FAILURES=3

failures=0
while true; do
    if ping -c 1 -W 1 "$PEER" >/dev/null 2>&1; then
        failures=0
    else
        failures=$((failures + 1))
        echo "$(date +%T.%N | cut -c1-12) ping $PEER failed ($failures of $MAX_FAILURES)"
    fi
    if [ "$failures" -ge "$MAX_FAILURES" ]; then
        echo "$(date +%T.%N | cut -c1-12) network lost: stopping the service, XDP off on $NIC, restarting networking"
        [ -n "$XDPLAB_STACK_PID" ] && kill "$XDPLAB_STACK_PID" 2>/dev/null
        ip link set dev "$NIC" xdp off
        ip link set dev "$NIC" down && ip link set dev "$NIC" up
        failures=0
        if ping -c 1 -W 1 "$PEER" >/dev/null 2>&1; then echo "recovered"; else echo "still down"; fi
    fi
    sleep "$INTERVAL"
done

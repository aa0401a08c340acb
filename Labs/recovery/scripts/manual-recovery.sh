#!/bin/sh
# The team's manual recovery, from the out-of-band console: take every XDP program off the NIC.
NIC="${XDPLAB_INTERFACE:?}"
ip link set dev "$NIC" xdp off
ip link set dev "$NIC" xdpgeneric off
ip -d link show dev "$NIC" | grep -q 'prog/xdp' && { echo "XDP still attached to $NIC"; exit 1; }
echo "no XDP program on $NIC"

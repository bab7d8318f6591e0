#!/usr/bin/env bash
# Starts ovsdb-server and ovs-vswitchd with ovs-ctl. Only the userspace datapath is used, so
# if ovs-ctl cannot load the kernel module, ovs-vswitchd is started without it.
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "start-ovs: run as root" >&2; exit 2; }
ctl=/usr/share/openvswitch/scripts/ovs-ctl
if ! ovs-vsctl --timeout=3 show >/dev/null 2>&1; then
  if ! "$ctl" start --system-id=random; then
    echo "start-ovs: no openvswitch kernel module; starting ovs-vswitchd for the userspace datapath"
    "$ctl" --no-ovs-vswitchd start --system-id=random
    ovs-vswitchd --pidfile --detach --log-file -vconsole:off
  fi
fi
ovs-vsctl --timeout=5 show >/dev/null

#!/usr/bin/env bash
# Starts ovsdb-server and ovs-vswitchd (userspace datapath needs no kernel module).
set -euo pipefail
if ! ovs-vsctl --timeout=3 show >/dev/null 2>&1; then
  /usr/share/openvswitch/scripts/ovs-ctl start --system-id=random
fi
ovs-vsctl --timeout=5 show >/dev/null

#!/usr/bin/env bash
# Installs what CareLane's build, demo and tests need on a fresh Debian machine (run as root).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  openjdk-17-jdk-headless maven \
  mininet openvswitch-switch iperf3 ethtool iproute2 iputils-ping procps \
  python3 python3-pytest python3-matplotlib >/dev/null
echo "install-deps: java $(java -version 2>&1 | head -1), $(mvn -v 2>/dev/null | head -1), $(ovs-vsctl --version | head -1)"

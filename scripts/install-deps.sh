#!/usr/bin/env bash
# Installs what CareLane's build, demo and tests need on a fresh Debian 12 machine (run as root):
# JDK 17 for the build, Java 11 (ONOS 2.7's platform) for the test bed and the unit tests on
# Java 11, Maven, Mininet and userspace OVS, and the traffic tools.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
[ "$(id -u)" = 0 ] || { echo "install-deps: run as root" >&2; exit 2; }
J11=/usr/lib/jvm/java-11-openjdk-amd64
apt-get update -qq
if [ ! -x "$J11/bin/java" ]; then
  # Debian 12 has no Java 11: take Debian 11's package from the same mirror, pinned at 100 so
  # that nothing else is ever upgraded from bullseye.
  uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
        /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) \
        { if ($i !~ /security/) { print $i; exit } } }' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$uri" ] || { echo "install-deps: no Debian mirror URI in /etc/apt/sources.list(.d)" >&2; exit 1; }
  printf 'Types: deb\nURIs: %s\nSuites: bullseye\nComponents: main\nSigned-By: %s\n' \
    "$uri" /usr/share/keyrings/debian-archive-keyring.gpg > /etc/apt/sources.list.d/carelane-bullseye.sources
  printf 'Package: *\nPin: release n=bullseye\nPin-Priority: 100\n' > /etc/apt/preferences.d/carelane-bullseye
  apt-get update -qq
  apt-get install -y -qq -t bullseye openjdk-11-jdk-headless >/dev/null
fi
apt-get install -y -qq --no-install-recommends \
  openjdk-17-jdk-headless maven curl openssh-client \
  mininet openvswitch-switch iperf3 ethtool iproute2 iputils-ping iputils-arping procps \
  python3 python3-pytest python3-matplotlib prometheus nftables dnsmasq-base >/dev/null
echo "install-deps: $(java -version 2>&1 | head -1) (build), $("$J11/bin/java" -version 2>&1 | head -1) (ONOS," \
     "unit tests), $(mvn -v 2>/dev/null | head -1), $(ovs-vsctl --version | head -1)"

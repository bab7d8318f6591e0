package org.carelane.api;

import org.onlab.packet.IpAddress;

import java.time.Instant;

/** An address learned from a DNS answer: the listed name it was learned for, its slice, and when it goes. */
public final class LearnedName {
    private final IpAddress address;
    private final String name;
    private final String slice;
    private final Instant expires;

    public LearnedName(IpAddress address, String name, String slice, Instant expires) {
        this.address = address;
        this.name = name;
        this.slice = slice;
        this.expires = expires;
    }

    public IpAddress address() {
        return address;
    }

    public String name() {
        return name;
    }

    public String slice() {
        return slice;
    }

    public Instant expires() {
        return expires;
    }
}

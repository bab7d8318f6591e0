package org.carelane.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Clock that tests move by hand. */
public class MutableClock extends Clock {
    private volatile Instant now;
    private volatile long tickingSinceNanos = -1;

    public MutableClock(Instant start) {
        this.now = start;
    }

    public void set(Instant instant) {
        now = instant;
    }

    public void advance(Duration d) {
        now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    /** From now on the clock also advances with real time. */
    public void startTicking() {
        tickingSinceNanos = System.nanoTime();
    }

    @Override
    public Instant instant() {
        long since = tickingSinceNanos;
        return since < 0 ? now : now.plusNanos(System.nanoTime() - since);
    }
}

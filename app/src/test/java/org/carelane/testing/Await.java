package org.carelane.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for something the app's own threads do; the caller asserts on what it finds after. */
public final class Await {
    private Await() {
    }

    /** Polls every 10 ms until the condition holds or the limit has passed. */
    public static void until(BooleanSupplier condition, Duration limit) {
        long t0 = System.nanoTime();
        while (!condition.getAsBoolean() && System.nanoTime() - t0 < limit.toNanos()) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

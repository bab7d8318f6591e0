package org.carelane.impl;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;

/** Waits for what a single-thread executor has queued (tests and the harness). */
final class QueuedWork {
    private QueuedWork() {
    }

    /** Returns once every task queued on {@code executor} before this call has run. */
    static void await(ExecutorService executor) {
        try {
            executor.submit(() -> { }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

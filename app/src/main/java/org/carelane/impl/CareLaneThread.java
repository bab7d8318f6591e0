package org.carelane.impl;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The single CareLane thread: policy changes, reconciles and device decisions run on it, so
 * they never interleave.
 */
final class CareLaneThread {
    static final String NAME = "carelane";
    private final ScheduledExecutorService executor =
            Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, NAME));

    ScheduledExecutorService executor() {
        return executor;
    }

    /** Runs a task later on the CareLane thread, unless it has stopped. */
    void execute(Runnable task) {
        if (!executor.isShutdown()) {
            executor.execute(task);
        }
    }

    /** Runs a task on the CareLane thread and waits for it; its exception is thrown here. */
    void runAndWait(Runnable task) {
        if (Thread.currentThread().getName().equals(NAME)) {
            task.run();
            return;
        }
        try {
            executor.submit(task).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }


    void shutdownNow() {
        executor.shutdownNow();
    }

    /** Polls {@code done} until it holds or {@code deadline} (System.nanoTime) passes. */
    static void awaitUntil(long deadline, java.util.function.BooleanSupplier done) {
        while (!done.getAsBoolean() && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

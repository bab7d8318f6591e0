package org.carelane.impl;

/**
 * This node's programming work: devices waiting for room and attempts in flight. Read from
 * other threads for /status and /metrics, so a figure may be a moment old.
 */
interface WorkCounts {
    /** Nothing queued, nothing in flight (tests, and before activation). */
    WorkCounts NONE = new WorkCounts() {
        @Override
        public int queued() {
            return 0;
        }

        @Override
        public int inFlight() {
            return 0;
        }
    };

    int queued();

    int inFlight();
}

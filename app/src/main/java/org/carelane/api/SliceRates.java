package org.carelane.api;

/**
 * Rates of one slice in one profile.
 *
 * @param maxKbps cap enforced by the slice meter, kbit/s
 * @param minKbps minimum rate reserved at the uplink queue, kbit/s (0 = none)
 */
public record SliceRates(long maxKbps, long minKbps) {
}

package org.carelane.api;

/**
 * Counters of one slice summed over the programmed devices.
 *
 * @param bytes         bytes matched by the slice's flow rules
 * @param packets       packets matched by the slice's flow rules
 * @param meterDropBytes   bytes dropped by the slice meters' bands
 * @param meterDropPackets packets dropped by the slice meters' bands
 */
public record SliceStats(String slice, long bytes, long packets, long meterDropBytes, long meterDropPackets,
                         int flowRules, int meters) {
}

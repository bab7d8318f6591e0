package org.carelane.api;

/**
 * A meter CareLane installed for one slice on one device.
 */
public record InstalledMeter(long meterId, long rateKbps, long burstKbits) {
}

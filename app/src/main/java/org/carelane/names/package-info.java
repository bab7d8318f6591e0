/**
 * Classification by name, free of OSGi: name lists and their matching, DNS answers read from
 * the wire (CNAME chains, A and AAAA), and the addresses a device learned from them, each for
 * its answer's TTL, within bounds.
 */
package org.carelane.names;

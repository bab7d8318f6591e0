/**
 * The pure policy core, free of OSGi: JSON codec and validation with field paths, the peak
 * schedule, rate arithmetic and the compilation of slices into OpenFlow rules.
 */
package org.carelane.policy;

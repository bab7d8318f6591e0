/**
 * Prometheus text exposition, free of OSGi and ONOS.
 */
package org.carelane.metrics;

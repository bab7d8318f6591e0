/**
 * Cluster-wide CareLane state in ONOS ConsistentMaps: policy, override, installed meters and the audit trail.
 */
package org.carelane.store;

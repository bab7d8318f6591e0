/**
 * CareLane's domain types (policy, slices, schedule, stats) and its service and store interfaces.
 */
package org.carelane.api;

/**
 * The CareLane component: schedule timer, per-device programming with rule generations in two
 * priority bands, device sync state and retries.
 */
package org.carelane.impl;

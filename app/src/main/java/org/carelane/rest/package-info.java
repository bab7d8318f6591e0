/**
 * The CareLane REST API at /onos/carelane, on ONOS's AbstractWebApplication (roles enforced).
 */
package org.carelane.rest;

/**
 * The carelane-* Karaf commands and their completers; their logic is in CliOperations.
 */
package org.carelane.cli;

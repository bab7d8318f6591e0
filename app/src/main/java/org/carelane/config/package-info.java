/**
 * The netcfg block {@code apps."org.carelane.app".carelane}.
 */
package org.carelane.config;

package org.carelane.rest;

import org.onlab.rest.AbstractWebApplication;

import java.util.Set;

/**
 * JAX-RS application mounted at /onos/carelane. ONOS's base class brings its
 * AuthorizationFilter (a viewer reads, an admin changes) and its exception mappers.
 */
public class CareLaneWebApplication extends AbstractWebApplication {
    @Override
    public Set<Class<?>> getClasses() {
        return getClasses(CareLaneWebResource.class);
    }
}

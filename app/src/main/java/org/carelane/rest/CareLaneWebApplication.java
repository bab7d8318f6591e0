package org.carelane.rest;

import javax.ws.rs.core.Application;
import java.util.Set;

/** JAX-RS application mounted at /onos/carelane. */
public class CareLaneWebApplication extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(CareLaneWebResource.class);
    }
}

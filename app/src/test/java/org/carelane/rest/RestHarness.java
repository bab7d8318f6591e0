package org.carelane.rest;

import org.carelane.api.CareLaneService;
import org.carelane.testing.UserSecurityContext;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.test.JerseyTest;

import javax.ws.rs.client.Entity;
import javax.annotation.Priority;
import javax.ws.rs.Priorities;
import javax.ws.rs.container.ContainerRequestContext;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.container.PreMatching;
import javax.ws.rs.core.Application;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

/**
 * In-memory Jersey container serving the real resource with everything CareLaneWebApplication
 * registers (ONOS's AuthorizationFilter and mappers), for a basic-auth user with ONOS roles.
 */
final class RestHarness extends JerseyTest {
    private RestHarness(CareLaneService service, UserSecurityContext user) {
        super(application(service, user));
    }

    static RestHarness start(CareLaneService service, String user) throws Exception {
        return start(service, new UserSecurityContext(user));
    }

    static RestHarness start(CareLaneService service, UserSecurityContext user) throws Exception {
        RestHarness h = new RestHarness(service, user);
        h.setUp();
        return h;
    }

    /** Sets the user before matching, as ONOS's basic-auth login does before any filter. */
    @PreMatching
    @Priority(Priorities.AUTHENTICATION)
    private static final class Login implements ContainerRequestFilter {
        private final UserSecurityContext user;

        Login(UserSecurityContext user) {
            this.user = user;
        }

        @Override
        public void filter(ContainerRequestContext ctx) {
            ctx.setSecurityContext(user);
        }
    }

    private static Application application(CareLaneService service, UserSecurityContext user) {
        ResourceConfig config = new ResourceConfig().register(new CareLaneWebResource(service))
                .register(new Login(user));
        new CareLaneWebApplication().getClasses().stream()
                .filter(c -> c != CareLaneWebResource.class).forEach(config::register);
        return config;
    }

    Response get(String pathAndQuery) {
        return withQuery(pathAndQuery).request().get();
    }

    private javax.ws.rs.client.WebTarget withQuery(String pathAndQuery) {
        String[] parts = pathAndQuery.split("\\?", 2);
        javax.ws.rs.client.WebTarget t = target(parts[0]);
        if (parts.length == 2) {
            for (String kv : parts[1].split("&")) {
                String[] p = kv.split("=", 2);
                t = t.queryParam(p[0], p.length == 2 ? p[1] : "");
            }
        }
        return t;
    }

    Response put(String path, String body) {
        return target(path).request().put(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    Response post(String path, String body) {
        return target(path).request().post(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    Response delete(String pathAndQuery) {
        return withQuery(pathAndQuery).request().delete();
    }

    @Override
    protected Application configure() {
        return null;   // supplied through the constructor
    }
}

package org.carelane.rest;

import org.carelane.api.CareLaneService;
import org.carelane.testing.UserSecurityContext;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.test.JerseyTest;

import javax.ws.rs.client.Entity;
import javax.ws.rs.container.ContainerRequestFilter;
import javax.ws.rs.core.Application;
import javax.ws.rs.core.MediaType;
import javax.ws.rs.core.Response;

/** In-memory Jersey container serving the real resource, with a basic-auth user. */
final class RestHarness extends JerseyTest {
    private RestHarness(CareLaneService service, String user) {
        super(application(service, user));
    }

    static RestHarness start(CareLaneService service, String user) throws Exception {
        RestHarness h = new RestHarness(service, user);
        h.setUp();
        return h;
    }

    private static Application application(CareLaneService service, String user) {
        ContainerRequestFilter auth = ctx -> ctx.setSecurityContext(new UserSecurityContext(user));
        return new ResourceConfig().register(new CareLaneWebResource(service)).register(auth);
    }

    Response get(String pathAndQuery) {
        String[] parts = pathAndQuery.split("\\?", 2);
        javax.ws.rs.client.WebTarget t = target(parts[0]);
        if (parts.length == 2) {
            for (String kv : parts[1].split("&")) {
                String[] p = kv.split("=", 2);
                t = t.queryParam(p[0], p.length == 2 ? p[1] : "");
            }
        }
        return t.request().get();
    }

    Response put(String path, String body) {
        return target(path).request().put(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    Response post(String path, String body) {
        return target(path).request().post(Entity.entity(body, MediaType.APPLICATION_JSON));
    }

    Response delete(String path) {
        return target(path).request().delete();
    }

    @Override
    protected Application configure() {
        return null;   // supplied through the constructor
    }
}

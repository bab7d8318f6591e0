package org.carelane.testing;

import javax.ws.rs.core.SecurityContext;
import java.security.Principal;

/** SecurityContext of a basic-auth user who holds every role, as ONOS's REST layer would set it. */
public final class UserSecurityContext implements SecurityContext {
    private final String user;

    public UserSecurityContext(String user) {
        this.user = user;
    }

    @Override
    public Principal getUserPrincipal() {
        return () -> user;
    }

    @Override
    public boolean isUserInRole(String role) {
        return true;
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public String getAuthenticationScheme() {
        return BASIC_AUTH;
    }
}

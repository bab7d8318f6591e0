package org.carelane.testing;

import javax.ws.rs.core.SecurityContext;
import java.security.Principal;
import java.util.Set;

/** SecurityContext of a basic-auth user with ONOS roles, as ONOS's REST layer would set it. */
public final class UserSecurityContext implements SecurityContext {
    private final String user;
    private final Set<String> roles;

    /** A user of ONOS's admingroup: admin and viewer. */
    public UserSecurityContext(String user) {
        this(user, Set.of("admin", "viewer"));
    }

    public UserSecurityContext(String user, Set<String> roles) {
        this.user = user;
        this.roles = Set.copyOf(roles);
    }

    @Override
    public Principal getUserPrincipal() {
        return () -> user;
    }

    @Override
    public boolean isUserInRole(String role) {
        return roles.contains(role);
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

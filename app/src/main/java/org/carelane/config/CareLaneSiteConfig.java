package org.carelane.config;

import org.carelane.api.DeviceUplink;
import org.carelane.policy.PolicyCodec;
import org.onosproject.net.DeviceId;
import org.onosproject.net.config.Config;

/**
 * Network config block {@code devices."of:...".carelane}: one site, next to ONOS's own
 * {@code basic}, so a site is added, changed or removed (onos-netcfg per site) without touching
 * the national block. Its fields are those of a {@code devices[]} entry of the national block,
 * but the deviceId, which is the subject.
 */
public class CareLaneSiteConfig extends Config<DeviceId> {
    public static final String KEY = "carelane";

    /** Parses the site. @throws PolicyException naming the field */
    public DeviceUplink site() {
        return PolicyCodec.parseSite(subject(), node());
    }

    /**
     * Checks the site's own fields, throwing the PolicyException so ONOS's reply names the
     * field (see {@link CareLaneConfig#isValid}). Its board, class and rates are checked with
     * the national block when CareLane loads it; a site that does not fit is refused then, and
     * the audit and the log say why.
     */
    @Override
    public boolean isValid() {
        site();
        return true;
    }
}

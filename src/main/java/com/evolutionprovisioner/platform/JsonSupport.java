package com.evolutionprovisioner.platform;

import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider every class uses. {@code Json.createReader}, {@code Json.createObjectBuilder} and the like
 * look the provider up on the class path at every call: profiled, that lookup was a quarter of the webhook receiver's
 * CPU and a tenth of a provisioning attempt's.
 */
public final class JsonSupport {

    public static final JsonProvider JSON = JsonProvider.provider();

    private JsonSupport() {
    }
}

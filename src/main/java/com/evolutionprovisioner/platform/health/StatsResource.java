package com.evolutionprovisioner.platform.health;

import com.evolutionprovisioner.security.Authenticated;
import com.evolutionprovisioner.security.ServiceRoleOnly;
import jakarta.enterprise.context.RequestScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The service role's figures at a glance (the console's header): one flat JSON object made of every component's
 * {@link StatsSection}, so that this endpoint belongs to none of them and a new component adds its figures itself.
 */
@Path("admin/stats")
@RequestScoped
@Authenticated
@ServiceRoleOnly
@Produces(MediaType.APPLICATION_JSON)
public class StatsResource {

    @Inject
    @Any
    Instance<StatsSection> sections;

    /** Sections in the order of their classes' names (by component), so that the fields keep one order. */
    @GET
    public Map<String, Object> stats() {
        return merged(sections.handlesStream()
                .sorted(Comparator.comparing(handle -> handle.getBean().getBeanClass().getName()))
                .map(Instance.Handle::get)
                .toList());
    }

    /** The sections' figures in one object; a name reported twice is a programming error, not something to hide. */
    static Map<String, Object> merged(Iterable<? extends StatsSection> sections) {
        Map<String, Object> stats = new LinkedHashMap<>();
        for (StatsSection section : sections) {
            section.figures().forEach((name, value) -> {
                if (stats.containsKey(name)) {
                    throw new IllegalStateException("Two stats sections report \"" + name + "\"");
                }
                stats.put(name, value);
            });
        }
        return stats;
    }
}

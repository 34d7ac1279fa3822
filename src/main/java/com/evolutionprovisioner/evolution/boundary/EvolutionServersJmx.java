package com.evolutionprovisioner.evolution.boundary;

import com.evolutionprovisioner.evolution.control.EvolutionServers;
import com.evolutionprovisioner.evolution.control.EvolutionServers.ServerView;
import com.evolutionprovisioner.evolution.control.ServerRecords.ServerConflict;
import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.ApplicationMBeans;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import javax.management.ObjectName;

/**
 * Registers the Evolution servers MXBean for as long as the application is deployed: the admin API's list, add,
 * capacity and state, over JMX. Input is checked by the same rules as the admin API.
 */
@Singleton
@Startup
public class EvolutionServersJmx {

    public static final String OBJECT_NAME = "com.evolutionprovisioner:type=EvolutionServers";

    @Inject
    EvolutionServers servers;

    @Inject
    ServerRequests requests;

    private ObjectName name;

    @PostConstruct
    void register() {
        name = ApplicationMBeans.register(OBJECT_NAME, EvolutionServersMXBean.class, new ServersMXBean(servers, requests));
    }

    @PreDestroy
    void unregister() {
        ApplicationMBeans.unregister(name);
    }

    /** A plain object for JMX, so that JMX never holds an EJB proxy; refusals become IllegalArgumentExceptions. */
    record ServersMXBean(EvolutionServers servers, ServerRequests requests) implements EvolutionServersMXBean {

        @Override
        public String[] getServers() {
            return servers.list().stream().map(ServersMXBean::line).toArray(String[]::new);
        }

        @Override
        public String addServer(String name, String baseUrl, String apiKey, int capacity) {
            return checked(() -> {
                ServerRequests.ValidServer server = requests.validNew(
                        new ServerRequests.NewServer(name, baseUrl, apiKey, capacity, null));
                return line(servers.add(server.name(), server.baseUrl(), server.apiKey(), server.capacity(),
                        server.state()));
            });
        }

        @Override
        public String setCapacity(String name, int capacity) {
            return change(name, new ServerRequests.ServerChange(capacity, null));
        }

        @Override
        public String setState(String name, String state) {
            return change(name, new ServerRequests.ServerChange(null, state));
        }

        private String change(String name, ServerRequests.ServerChange body) {
            return checked(() -> {
                ServerRequests.ValidChange change = requests.validChange(body);
                return line(servers.change(name, change.capacity(), change.state())
                        .orElseThrow(() -> new IllegalArgumentException("No Evolution server is named " + name)));
            });
        }

        private static String checked(Supplier<String> action) {
            try {
                return action.get();
            } catch (ApiException | ServerConflict refused) {
                throw new IllegalArgumentException(refused.getMessage());
            }
        }

        private static String line(ServerView server) {
            return server.name() + " " + server.baseUrl() + " " + server.state()
                    + (server.health().stateReason() == null ? "" : " (" + server.health().stateReason() + ")")
                    + " instances " + server.instances() + "/" + server.capacity()
                    + " circuit " + server.health().circuit()
                    + " version " + (server.health().version() == null ? "unknown" : server.health().version());
        }
    }
}

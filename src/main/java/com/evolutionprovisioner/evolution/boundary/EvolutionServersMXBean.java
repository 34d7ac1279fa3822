package com.evolutionprovisioner.evolution.boundary;

/** The pool of Evolution servers as JConsole and VisualVM show it: {@code com.evolutionprovisioner:type=EvolutionServers}. */
public interface EvolutionServersMXBean {

    /** One line per server: name, base URL, state (and its reason), instances / capacity, circuit, version. */
    String[] getServers();

    /** Adds an active server; returns its line. The key is never shown or logged. */
    String addServer(String name, String baseUrl, String apiKey, int capacity);

    /** Sets a server's capacity; returns its line. */
    String setCapacity(String name, int capacity);

    /** Sets a server's state: active, draining or disabled; returns its line. */
    String setState(String name, String state);
}

package com.evolutionprovisioner.security;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the {@link Authenticated} resource methods that also accept an {@link EventTickets event ticket} as the query
 * parameter {@code ticket}, for clients that cannot send headers. Everywhere else only the Authorization header counts.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface AcceptsEventTicket {

    String QUERY_PARAMETER = "ticket";
}

package com.evolutionprovisioner.security;

import jakarta.ws.rs.NameBinding;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks {@link Authenticated} resources that sign a user up or provision an instance for them: a user token must meet
 * the signup rules ({@link SignupRulesFilter}); the service role always may.
 */
@NameBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface SignupRules {
}

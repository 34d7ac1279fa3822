package com.evolutionprovisioner.evolution.entity;

/**
 * What became of {@code POST /instance/create}: created (with its identity, and whether the webhook went in the
 * create body), the name already in use at Evolution (an instance exists: adopt it), refused, or refused by the
 * licence gate of Evolution 2.4.
 *
 * @param identity      the created instance, when {@link Kind#CREATED}
 * @param webhookInBody whether Evolution accepted the webhook inside the create body (servers before v2.1 refuse it)
 * @param reason        Evolution's answer, summarised, when refused
 */
public record CreateOutcome(Kind kind, InstanceIdentity identity, boolean webhookInBody, String reason) {

    public enum Kind { CREATED, ALREADY_EXISTS, REJECTED, LICENCE_REQUIRED }

    public static CreateOutcome created(InstanceIdentity identity, boolean webhookInBody) {
        return new CreateOutcome(Kind.CREATED, identity, webhookInBody, null);
    }

    public static CreateOutcome alreadyExists() {
        return new CreateOutcome(Kind.ALREADY_EXISTS, null, false, null);
    }

    public static CreateOutcome rejected(String reason) {
        return new CreateOutcome(Kind.REJECTED, null, false, reason);
    }

    public static CreateOutcome licenceRequired(String reason) {
        return new CreateOutcome(Kind.LICENCE_REQUIRED, null, false, reason);
    }
}

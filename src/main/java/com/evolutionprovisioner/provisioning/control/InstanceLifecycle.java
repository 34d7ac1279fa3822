package com.evolutionprovisioner.provisioning.control;

import com.evolutionprovisioner.evolution.control.EvolutionClient;
import com.evolutionprovisioner.evolution.entity.ConnectResult;
import com.evolutionprovisioner.evolution.entity.ConnectionState;
import com.evolutionprovisioner.evolution.entity.EvolutionException;
import com.evolutionprovisioner.evolution.entity.InstanceName;
import com.evolutionprovisioner.platform.ApiException;
import com.evolutionprovisioner.platform.LogSafe;
import com.evolutionprovisioner.provisioning.entity.EvolutionInstance;
import com.evolutionprovisioner.provisioning.entity.Pairing;
import com.evolutionprovisioner.provisioning.entity.PhoneNumber;
import com.evolutionprovisioner.provisioning.entity.QueueStatus;
import com.evolutionprovisioner.security.UserId;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response.Status;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The owner's WhatsApp connection: pairing (QR code or pairing code), logout and reconnect of their provisioned
 * instance. Asks Evolution for the truth each time, and records what it answered. Runs outside any transaction:
 * Evolution calls take seconds (connect waits for the first QR code), and each record update commits on its own.
 */
@ApplicationScoped
public class InstanceLifecycle {

    private static final Logger LOG = Logger.getLogger(InstanceLifecycle.class.getName());

    @Inject
    ProvisioningQueue queue;

    @Inject
    InstanceRegistry instances;

    @Inject
    EvolutionClient evolution;

    /** Evolution's QRCODE_LIMIT: the codes a session shows before it ends. Must match the server's setting. */
    @Inject
    @ConfigProperty(name = "evolution.qrcode.limit")
    int qrCodeLimit;

    /**
     * Open: the state. Connecting: the code being shown. Close: a new session and its first code (with a pairing
     * code for {@code number}) — unless the last session ended at the QR code limit, which is answered once as
     * {@code refused}, so that the owner knows the codes ran out rather than seeing a new one appear.
     */
    public Pairing connect(UserId user, Optional<PhoneNumber> number) {
        EvolutionInstance instance = provisionedInstance(user);
        InstanceName name = instance.getInstanceName();
        return atEvolution(user, "connect", () -> {
            ConnectionState state = evolution.connectionState(name);
            if (state == ConnectionState.CLOSE && instance.qrSessionRefused(qrCodeLimit)) {
                instances.update(user, record -> record.recordConnectionState(ConnectionState.CLOSE));
                LOG.info(() -> "Instance " + name + " of user " + user + ": the last QR session ended at the limit of "
                        + qrCodeLimit + " codes; answered refused");
                return Pairing.withoutQrCode(ConnectionState.REFUSED, qrCodeLimit);
            }
            return connectNow(user, name, number);
        });
    }

    /** Ends the WhatsApp session (the phone is unlinked); an instance without one answers {@code close} as well. */
    public Pairing logout(UserId user) {
        InstanceName name = provisionedInstance(user).getInstanceName();
        return atEvolution(user, "logout", () -> {
            boolean loggedOut = evolution.logout(name);
            instances.update(user, record -> record.recordConnectionState(ConnectionState.CLOSE));
            LOG.info(() -> "Instance " + name + " of user " + user + (loggedOut ? " logged out" : " had no session to log out"));
            return Pairing.withoutQrCode(ConnectionState.CLOSE, qrCodeLimit);
        });
    }

    /**
     * Gets a stuck instance going again: a closed one is connected (a new QR code), an open or connecting one has
     * its session restarted (Evolution answers 200 {@code {error:true}} to a restart of a closed instance).
     */
    public Pairing reconnect(UserId user) {
        InstanceName name = provisionedInstance(user).getInstanceName();
        return atEvolution(user, "reconnect", () -> {
            ConnectionState state = evolution.connectionState(name);
            if (state == ConnectionState.CLOSE) {
                return connectNow(user, name, Optional.empty());
            }
            ConnectResult restarted = evolution.restart(name);
            LOG.info(() -> "Instance " + name + " of user " + user + " restarted (was " + state.wireName() + ", now "
                    + restarted.state().wireName() + ")");
            return recorded(user, restarted);
        });
    }

    private Pairing connectNow(UserId user, InstanceName name, Optional<PhoneNumber> number) {
        ConnectResult result = evolution.connect(name, number.map(PhoneNumber::digits));
        if (result.state() == ConnectionState.CLOSE) {
            // The session ended before it showed a code: the QR code limit was reached at once.
            instances.update(user, record -> record.recordConnectionState(ConnectionState.CLOSE));
            return Pairing.withoutQrCode(ConnectionState.REFUSED, qrCodeLimit);
        }
        return recorded(user, result);
    }

    private Pairing recorded(UserId user, ConnectResult result) {
        if (result.hasQrCode()) {
            instances.update(user, record -> record.recordQrCode(result.qrDataUrl(), result.count()));
            return Pairing.qrCode(result.qrDataUrl(), result.code(), result.count(), qrCodeLimit, result.pairingCode());
        }
        instances.update(user, record -> record.recordConnectionState(result.state()));
        return Pairing.withoutQrCode(result.state(), qrCodeLimit);
    }

    /** The user's instance, once provisioning completed: before that there is nothing to pair. */
    private EvolutionInstance provisionedInstance(UserId user) {
        var entry = queue.findByUser(user).orElseThrow(() -> ApiException.notFound("No profile for this user."));
        Optional<EvolutionInstance> instance = instances.findByUser(user);
        if (entry.getStatus() != QueueStatus.COMPLETED || instance.isEmpty()) {
            throw new ApiException(Status.CONFLICT, "not_provisioned", "The instance is not provisioned yet (status "
                    + entry.getStatus().dbValue() + "); follow GET /api/instances/me until it is completed.");
        }
        return instance.get();
    }

    /** Evolution's failures as the owner should see them: not a 500, and without Evolution's own words. */
    private static Pairing atEvolution(UserId user, String action, Supplier<Pairing> call) {
        try {
            return call.get();
        } catch (EvolutionException failure) {
            LOG.warning(() -> action + " of user " + user + "'s instance failed at Evolution (" + failure.kind() + "): "
                    + LogSafe.quote(failure.getMessage()));
            throw switch (failure.kind()) {
                case UNAVAILABLE, LICENCE_REQUIRED -> new ApiException(Status.SERVICE_UNAVAILABLE, "evolution_unavailable",
                        "The WhatsApp gateway is unavailable right now; try again in a minute.");
                case INSTANCE_MISSING -> new ApiException(Status.CONFLICT, "instance_missing",
                        "The WhatsApp gateway no longer knows this instance; repair it with POST /api/instances.");
                case REJECTED -> new ApiException(Status.BAD_GATEWAY, "evolution_rejected",
                        "The WhatsApp gateway refused the " + action + "; it has been logged.");
            };
        }
    }
}
